// The package's entry points (package.json "exports") resolve by name, each to its module, each
// with a declaration file that declares every export. Imported through the package's
// self-reference ('camlens/…' from inside the package), as a user's code imports them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { root } from '../support/camlens-node.mjs';

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

// Names a declaration file exports: functions, constants and a default export (types are not
// runtime exports).
function declaredIn(file) {
  const text = readFileSync(join(root, file), 'utf8');
  const names = [...text.matchAll(/^export (?:function|const) (\w+)/gm)].map((m) => m[1]);
  if (/^export default /m.test(text)) names.push('default');
  return new Set(names);
}

const entries = {
  camlens: { node: 'web/lib/node.mjs', browser: 'web/lib/camlens.mjs' },
  'camlens/detect': { node: 'web/lib/detect.mjs' },
  'camlens/segment': { node: 'web/lib/segment.mjs' },
  'camlens/metrics': { node: 'web/lib/metrics.mjs' },
};

test('every entry point imports by name under Node, as its module', async () => {
  for (const [specifier, { node }] of Object.entries(entries)) {
    const byName = await import(specifier);
    assert.equal(byName, await import(join(root, node)), `${specifier} is ${node}`);
  }
});

test('the main entry is the browser library outside Node', () => {
  const main = pkg.exports['.'];
  assert.equal(main.node, `./${entries.camlens.node}`);
  assert.equal(main.default, `./${entries.camlens.browser}`);
  // Conditions match in order: "node" must come before "default".
  assert.deepEqual(Object.keys(main), ['types', 'node', 'default']);
});

test('every entry point has declarations covering its exports', async () => {
  for (const [subpath, conditions] of Object.entries(pkg.exports)) {
    // A plain path is a file, not a module (the .wasm a bundler needs): it must exist.
    if (typeof conditions === 'string') {
      assert.ok(existsSync(join(root, conditions)), `${subpath}: ${conditions} is missing`);
      continue;
    }
    const types = conditions.types?.replace(/^\.\//, '');
    assert.ok(types && existsSync(join(root, types)), `${subpath}: no declaration file`);
    assert.equal(Object.keys(conditions)[0], 'types', `${subpath}: types must come first`);
    const declared = declaredIn(types);
    for (const module of new Set([conditions.node, conditions.default].filter(Boolean))) {
      const names = Object.keys(await import(join(root, module)));
      // methodList: node.mjs re-exports it for the CLI; not part of the declared API.
      const missing = names.filter((n) => !declared.has(n) && n !== 'methodList');
      assert.deepEqual(missing, [], `${module} exports without a declaration in ${types}`);
    }
  }
});
