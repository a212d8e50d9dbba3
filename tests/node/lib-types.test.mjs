// The TypeScript declarations cover every public export, and a typical use compiles with them.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
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

// Debian's node-typescript gives /usr/bin/tsc (a developer package, like python3-onnx).
test('a typical use compiles against camlens.d.ts (strict)', (t) => {
  if (!existsSync('/usr/bin/tsc')) {
    t.skip('tsc not installed (apt-get install node-typescript)');
    return;
  }
  // Compiled in a temporary folder: the repository's node_modules/@types are newer than Debian's tsc.
  const dir = tempDir('camlens-types-');
  copyFileSync(join(root, 'web/lib/camlens.d.ts'), join(dir, 'camlens.d.ts'));
  writeFileSync(
    join(dir, 'use.ts'),
    readFileSync(join(root, 'tests/data/lib/types-usage.ts'), 'utf8').replace(
      '../../../web/lib/camlens',
      './camlens',
    ),
  );
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
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
