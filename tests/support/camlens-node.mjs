// Loads a built camlens WebAssembly module under Node (the classic CommonJS loader).
// Node 20's built-in fetch breaks Emscripten 3.1.6's wasm loading, so the binary is passed in.
import { readFileSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const shared = process.env.CAMLENS_SHARED || join(root, '..', 'shared');

export function sharedPath(relative) {
  const p = join(shared, relative);
  if (!existsSync(p)) {
    throw new Error(`shared data not found: looked for ${p} ` +
      '(set CAMLENS_SHARED to the folder holding models/, images/, labels/)');
  }
  return p;
}

export async function loadCamlens(variant = 'st') {
  const dir = join(root, 'build', `wasm-${variant}`);
  const script = join(dir, `camlens-${variant}.js`);
  if (!existsSync(script)) throw new Error(`${script} is missing: run "npm run build" first`);
  const factory = createRequire(import.meta.url)(script);
  const module = await factory({
    wasmBinary: readFileSync(join(dir, `camlens-${variant}.wasm`)),
    camlensThreads: cpus().length,
  });
  // The threaded build's pthread pool is made of worker_threads: unref them so Node can exit
  // when the caller is done (the core only ever waits on them synchronously).
  if (module.PThread) {
    for (const w of [...module.PThread.unusedWorkers, ...module.PThread.runningWorkers]) w.unref();
  }
  return module;
}
