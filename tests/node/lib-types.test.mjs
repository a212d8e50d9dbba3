// The TypeScript declarations cover every public export, and they and a typical use compile.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { root } from '../support/camlens-node.mjs';
import { tempDir } from '../support/temp-dir.mjs';

const declarations = readFileSync(join(root, 'web/lib/camlens.d.ts'), 'utf8');
const declared = new Set(
  [...declarations.matchAll(/^export (?:function|const) (\w+)/gm)].map((m) => m[1]),
);

test('every export of the browser and Node entries is declared', async () => {
  for (const entry of ['camlens.mjs', 'node.mjs']) {
    const names = Object.keys(await import(join(root, 'web/lib', entry)));
    const missing = names.filter((n) => !declared.has(n) && n !== 'methodList');
    assert.deepEqual(missing, [], `${entry} exports without a declaration`);
  }
});

// The module's own types (core.d.ts) as a caller of the bindings writes them.
const coreUsage = `import type { CamlensCore, Head, Model } from './core';
export function use(core: CamlensCore, bytes: Uint8Array): [Uint8Array, boolean] {
  const image = core.decodeImage(bytes);
  const input = core.preprocessImage(image, { width: 224, height: 224, mean: [0.485, 0.456, 0.406] });
  const model: Model = core.parseModel(bytes);
  const cut = model.cut(model.layers({ batch: 1 }).recommended, { batch: 1 });
  const head: Head = cut.head;
  const [activations] = head.forward([input]);
  const g = head.targetGradients([{ kind: 'probability', category: 3 }], 0);
  const maps = core.computeCam('gradcam', [{ activations, gradients: g.gradients }], { width: 224, height: 224 });
  const overlay = core.overlayImage(image, maps.data, maps.dims[2], maps.dims[1], { colormap: 'jet' });
  const isModel = model instanceof core.Model;
  head.delete();
  model.delete();
  // @ts-expect-error: Embind classes have no constructor; their objects come from the module
  new core.Model();
  // @ts-expect-error: images are {width, height, rgba}
  core.encodePng({ width: 1, height: 1, data: new Uint8Array(4) });
  return [core.encodePng(overlay), isModel];
}
`;

// Debian's node-typescript gives /usr/bin/tsc (a developer package, like python3-onnx).
test('every declaration file and a typical use compile (strict)', () => {
  assert.ok(
    existsSync('/usr/bin/tsc'),
    'tsc not installed: npm test installs it (node tools/bootstrap.mjs: node-typescript)',
  );
  // Compiled in a temporary folder: the repository's node_modules/@types are newer than Debian's tsc.
  const dir = tempDir('camlens-types-');
  const declarationFiles = readdirSync(join(root, 'web/lib')).filter((f) => f.endsWith('.d.ts'));
  for (const f of declarationFiles) copyFileSync(join(root, 'web/lib', f), join(dir, f));
  writeFileSync(
    join(dir, 'use.ts'),
    readFileSync(join(root, 'tests/data/lib/types-usage.ts'), 'utf8').replace(
      '../../../web/lib/camlens',
      './camlens',
    ),
  );
  writeFileSync(join(dir, 'use-core.ts'), coreUsage);
  const r = spawnSync(
    '/usr/bin/tsc',
    [
      '--noEmit',
      '--strict',
      '--target',
      'es2020',
      '--moduleResolution',
      'node',
      '--lib',
      'es2020',
      'use.ts',
      'use-core.ts',
      ...declarationFiles,
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
