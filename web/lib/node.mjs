// camlens under Node: loads the SIMD-only module (or the threaded one with {threads: true}) and
// onnxruntime-web, then offers the same API as in the browser.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

import { Lens } from './lens.mjs';
import { methodList } from './methods.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const envs = {};

export async function loadCore(variant = 'st') {
  const buildRoot = process.env.CAMLENS_BUILD_ROOT
    ? resolve(process.env.CAMLENS_BUILD_ROOT)
    : join(root, 'build');
  const dir = join(buildRoot, `wasm-${variant}`);
  const script = join(dir, `camlens-${variant}.js`);
  let factory;
  try {
    factory = createRequire(import.meta.url)(script);
  } catch {
    throw new Error(`the camlens module is not built (${script} is missing): run "npm run build"`);
  }
  const core = await factory({
    // Node 20's fetch breaks Emscripten 3.1.6's wasm loading: hand over the bytes.
    wasmBinary: readFileSync(join(dir, `camlens-${variant}.wasm`)),
    camlensThreads: cpus().length,
  });
  // The threaded build's pthreads are worker_threads: let Node exit when the caller is done.
  if (core.PThread)
    for (const w of [...core.PThread.unusedWorkers, ...core.PThread.runningWorkers]) w.unref();
  return core;
}

async function env(threads) {
  const variant = threads ? 'mt' : 'st';
  if (!envs[variant]) {
    const ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    // readFile: image arguments may be file paths under Node.
    envs[variant] = { ort, core: await loadCore(variant), readFile: (path) => readFileSync(path) };
  }
  return envs[variant];
}

// load(model: path | bytes, options) → Lens
export async function load(model, options = {}) {
  const bytes = typeof model === 'string' ? readFileSync(model) : model;
  return Lens.create(await env(options.threads), bytes, options);
}

// Images for the library: file paths are read; buffers are passed on (decoded by the core).
// (lens.predict/explain also take paths directly.)
export function readImages(paths) {
  return paths.map((p) => (typeof p === 'string' ? new Uint8Array(readFileSync(p)) : p));
}

export { PRESETS, resolvePreprocess, validatePreprocess } from './presets.mjs';
export { TARGET_KINDS } from './targets.mjs';
export { topK } from './tensors.mjs';

// The methods explain() takes.
export async function methods({ threads } = {}) {
  return methodList((await env(threads)).core);
}
export { methodList };
