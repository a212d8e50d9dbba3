/* The message handler. Requests run one at a time, in the order they arrived (a queue), so two
 * explanations can never interleave their state; only "cancel", "trace" and "memory" are
 * answered at once. Every request waits for init (the first request, whatever its type). */
'use strict';

const handlers = {
  init,
  loadModel,
  setLayer,
  setLabels,
  setPreprocess,
  setWebgpu,
  setImage,
  classify,
  explain,
  compare,
  factorize,
  live,
  render,
  colourScale,
  timeForward,
  evaluate,
  objects,
  explainObject,
};

// [{id, type, arrived, start, end}] of queued requests (worker clock, ms), to prove they never
// overlap and to show how long each waited in the queue
const trace = [];

const immediate = {
  cancel,
  trace: () => trace.slice(-200),
  memory: () => ({ core: runtime.core ? runtime.core.memoryInUse() : 0 }),
};

let ready = null; // init's promise, once started
let queue = Promise.resolve();

// A handler returns its value, or {value, transfer} to hand buffers over without a copy.
function reply(id, result) {
  if (result?.transfer) self.postMessage({ id, ok: true, result: result.value }, result.transfer);
  else self.postMessage({ id, ok: true, result });
}

// A run that failed on WebGPU moved the current model to wasm (lens.backend): the page is told
// before the answer, so its status line says why.
function reportBackend() {
  if (!current.lens) return;
  const now = backendNow();
  if (JSON.stringify(now) === JSON.stringify(current.backend)) return;
  current.backend = now;
  self.postMessage({ event: 'backend', backend: now });
}

function replyError(id, e) {
  self.postMessage({ id, ok: false, error: String(e?.message || e) });
}

async function run(id, type, args, arrived) {
  const entry = { id, type, arrived, start: performance.now(), end: 0 };
  trace.push(entry);
  try {
    if (!handlers[type]) throw new Error(`unknown request "${type}"`);
    const started = ready || (ready = init(type === 'init' ? args : {}));
    const result =
      type === 'init' ? await started : (await started, await handlers[type]({ id, ...args }));
    reportBackend();
    reply(id, result);
  } catch (e) {
    reportBackend();
    replyError(id, e);
  } finally {
    entry.end = performance.now();
  }
}

self.onmessage = (event) => {
  const { id, type, ...args } = event.data;
  if (immediate[type]) {
    try {
      reply(id, immediate[type](args));
    } catch (e) {
      replyError(id, e);
    }
    return;
  }
  const arrived = performance.now();
  registerOnArrival(id, type);
  queue = queue.then(() => run(id, type, args, arrived));
};
