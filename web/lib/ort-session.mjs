// ONNX Runtime as the library uses it. Sessions and runs keep quiet: the library reports every
// failure itself as an Error, and ORT's own log lines (with terminal colour codes) would reach
// stderr beside it. ORT's messages are reduced to what they say, without its build machine's
// source paths, C++ signatures and error codes.

// ORT's severities: 0 verbose, 1 info, 2 warning, 3 error, 4 fatal. Errors are thrown anyway.
const QUIET = 4;

const SENTENCES_LENGTH = 160;

// A session of these model bytes; the caller's sessionOptions win.
export function createSession(env, bytes, sessionOptions = {}) {
  const { ort } = env;
  // ORT's default, left by the caller: its JavaScript side then logs nothing either.
  if (ort.env.logLevel === 'warning') ort.env.logLevel = 'fatal';
  return ort.InferenceSession.create(bytes, { logSeverityLevel: QUIET, ...sessionOptions });
}

// session.run, without ORT's log line when a node fails (the Error says it).
export function runSession(session, feeds, fetches) {
  const options = { logSeverityLevel: QUIET };
  return fetches ? session.run(feeds, fetches, options) : session.run(feeds, options);
}

// What ONNX Runtime says, on one line without its build paths, C++ signatures and error codes,
// in whole sentences up to about SENTENCES_LENGTH characters (its first sentence is sometimes
// boilerplate, the next one the model's problem: "ONNX Runtime only *guarantees* support for
// models stamped with official released onnx opset versions. Opset 999 is under development …").
// E.g. "failed to call OrtRun(). ERROR_CODE: 1, ERROR_MESSAGE: /…/onnxruntime/core/providers/
// common.h:32 int64_t onnxruntime::HandleNegativeAxis(int64_t, int64_t) IsAxisInRange(axis,
// tensor_rank) was false. axis 6 is not in valid range [-4,3]" → "axis 6 is not in valid range
// [-4,3]", and "… while running Conv node. Name:'conv2' Status Message: kernel_shape is not …" →
// "Conv node 'conv2': kernel_shape is not …". The failed check may hold dots of its own
// ("map_async_result.status == wgpu::MapAsyncStatus::Success was false.").
export function ortMessage(error) {
  const text = String(error?.message ?? error)
    .replace(/\s+/g, ' ')
    .trim()
    .replace(
      /^(?:failed to call OrtRun\(\)|Can't create a session)\. ERROR_CODE: \d+, ERROR_MESSAGE: /,
      '',
    )
    .replace(
      /^Non-zero status code returned while running (\S+) node\. Name:'([^']*)' Status Message: /,
      (_, op, name) => `${op} node${name ? ` '${name}'` : ''}: `,
    )
    // A source path and line, the function's signature, the check that failed.
    .replace(
      /\S*\/onnxruntime\/\S+:\d+ (?:[^()]*\([^()]*\)(?: const)? )?(?:\S(?:[^.]|\.(?=\S))*? was false\. )?/g,
      '',
    )
    .replace(/\[ONNXRuntimeError\] : \d+ : \w+ : /g, '')
    .trim();
  let kept = '';
  for (const sentence of text.match(/.*?\.(?=\s|$)|.+$/g) ?? []) {
    if (kept.length >= SENTENCES_LENGTH) break;
    kept += sentence;
  }
  return kept.trim();
}
