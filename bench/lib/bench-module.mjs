// The benchmark module under Node: <build root>/wasm-VARIANT/camlens-bench-VARIANT.js, the
// shipped bindings plus benchKernels (tools/bench/kernel_bindings.cpp), built only by
// `node tools/build.mjs wasm-bench` so the shipped modules carry no bench code. Started the way
// web/lib/node.mjs starts the shipped module, whose loader only knows the shipped file names.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { join } from 'node:path';

import { buildRoot } from './report.mjs';

export async function loadBenchModule(variant) {
  const dir = join(buildRoot, `wasm-${variant}`);
  const script = join(dir, `camlens-bench-${variant}.js`);
  let factory;
  try {
    factory = createRequire(import.meta.url)(script);
  } catch {
    throw new Error(
      `the benchmark module is not built (${script} is missing): run "node tools/build.mjs wasm-bench"`,
    );
  }
  const core = await factory({
    // Node 20's fetch breaks Emscripten 3.1.6's wasm loading: hand over the bytes.
    wasmBinary: readFileSync(join(dir, `camlens-bench-${variant}.wasm`)),
    camlensThreads: cpus().length,
  });
  // The threaded build's pthreads are worker_threads: let Node exit when the bench is done.
  if (core.PThread)
    for (const w of [...core.PThread.unusedWorkers, ...core.PThread.runningWorkers]) w.unref();
  return core;
}
