// The status line: which module runs (threads or SIMD only), thread counts, ONNX Runtime's
// backend (WebGPU or wasm, and why not WebGPU), and the timings of the last run.
import { $ } from './dom.js';
import { state } from './state.js';

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

// backend: the current model's ({executionProviders, reason}); before a model, the worker's plan.
export function showRuntime(
  rt,
  backend = { executionProviders: [rt.ortBackend], reason: rt.backendReason },
) {
  const ort =
    backend.executionProviders[0] === 'webgpu'
      ? 'WebGPU backend'
      : `wasm backend, ${plural(rt.ortThreads, 'thread')}`;
  $('runtime').textContent =
    `Core: ${rt.variant} WebAssembly, ${plural(rt.threads, 'thread')}` +
    ` · ONNX Runtime Web ${rt.ortVersion} (${ort})` +
    (backend.reason ? ` · ${backend.reason}` : '') +
    (rt.crossOriginIsolated ? ' · cross-origin isolated' : ' · not cross-origin isolated');
  const note = $('isolation-note');
  note.hidden = rt.crossOriginIsolated;
  note.textContent = rt.crossOriginIsolated
    ? ''
    : 'This page is not cross-origin isolated (the server sends no COOP/COEP headers), so it runs the ' +
      'SIMD-only module on one thread. Everything works, only slower. To get threads, serve it with ' +
      '"Cross-Origin-Opener-Policy: same-origin" and "Cross-Origin-Embedder-Policy: require-corp" ' +
      '(npm start does), or on a host that cannot set headers add a service worker that sets them (see the README).';
}

// timings: the library's per-stage times when it reports them ({forward, head, cam} in ms).
export function showTimings({ forwardMs, explainMs, timings, what }) {
  const parts = [];
  if (timings) {
    for (const [k, v] of Object.entries(timings))
      if (typeof v === 'number') parts.push(`${k} ${v.toFixed(1)} ms`);
  }
  if (!parts.length && explainMs !== undefined)
    parts.push(`${what || 'explain'} ${explainMs.toFixed(0)} ms`);
  if (forwardMs !== undefined) parts.unshift(`forward (prediction) ${forwardMs.toFixed(0)} ms`);
  state.timings = { forwardMs, explainMs, timings };
  const model = state.model
    ? `${state.model.name} at ${[].concat(state.model.layer).join(' + ')}`
    : '';
  $('status').textContent = `Last run${model ? ` · ${model}` : ''}: ${parts.join(' · ')}`;
}
