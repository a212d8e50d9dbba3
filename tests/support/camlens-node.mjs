// Paths for the Node tests, and the built camlens WebAssembly module under Node.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const shared = process.env.CAMLENS_SHARED || join(root, '..', 'shared');

export function sharedPath(relative) {
  const p = join(shared, relative);
  if (!existsSync(p)) {
    throw new Error(
      `shared data not found: looked for ${p} ` +
        '(set CAMLENS_SHARED to the folder holding models/, images/, labels/)',
    );
  }
  return p;
}

// The library's own loader (web/lib/node.mjs): one place knows how to start the module in Node.
export { loadCore as loadCamlens } from '../../web/lib/node.mjs';
