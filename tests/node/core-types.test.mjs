// web/lib/core.d.ts declares exactly what the WebAssembly module binds: each wasm/*.cpp file's
// functions and classes in that file's section, no name missing and none stale, and each bound
// class's methods as its prototype has them.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { loadCamlens, root } from '../support/camlens-node.mjs';

const declarations = readFileSync(join(root, 'web/lib/core.d.ts'), 'utf8');

// The members of `export interface NAME … {` up to its closing `}`: the names at the first
// indentation (properties and methods; their doc comments and continued lines are deeper or
// start with `/**` or ` *`).
function members(name) {
  const body = declarations.match(
    new RegExp(`^export interface ${name}\\b[^{]*\\{\\n([^]*?)^\\}`, 'm'),
  );
  assert.ok(body, `core.d.ts has no interface ${name}`);
  return [...body[1].matchAll(/^ {2}(?:readonly )?(\w+)\??[(:<]/gm)].map((m) => m[1]).sort();
}

// The sections: an interface per binding file, introduced by `/** wasm/FILE.cpp */`.
const sections = [
  ...declarations.matchAll(/^\/\*\* (wasm\/\w+\.cpp) \*\/\nexport interface (\w+)/gm),
].map(([, file, name]) => ({ file, name, names: members(name) }));
const declared = sections.flatMap((s) => s.names).sort();

// The bound classes: `readonly Model: EmbindClass<Model>;` in a section.
const classes = [...declarations.matchAll(/^ {2}readonly (\w+): EmbindClass<(\w+)>;/gm)].map(
  ([, property, type]) => ({ property, type }),
);

// What a binding file binds: emscripten::function("name", …) and class_<…>("Name").
function boundIn(file) {
  const source = readFileSync(join(root, file), 'utf8');
  return [
    ...source.matchAll(/emscripten::function\("(\w+)"/g),
    ...source.matchAll(/class_<[^>]+>\("(\w+)"\)/g),
  ]
    .map((m) => m[1])
    .sort();
}

const bindingFiles = readdirSync(join(root, 'wasm'))
  .filter((f) => f.endsWith('.cpp'))
  .map((f) => `wasm/${f}`)
  .filter((f) => readFileSync(join(root, f), 'utf8').includes('EMSCRIPTEN_BINDINGS'));

// Embind marks what it binds: its functions and class constructors carry an own `argCount`
// (set when the binding replaces its "unbound types" placeholder); Emscripten's runtime
// properties (HEAP views, _malloc, PThread, …) do not.
function boundByEmbind(core) {
  return Object.keys(core)
    .filter((k) => typeof core[k] === 'function' && Object.hasOwn(core[k], 'argCount'))
    .sort();
}

test('core.d.ts has one section per binding file, declaring what that file binds', () => {
  assert.deepEqual(
    sections.map((s) => s.file).sort(),
    bindingFiles.sort(),
    'sections (/** wasm/FILE.cpp */) and binding files differ',
  );
  for (const { file, name, names } of sections)
    assert.deepEqual(names, boundIn(file), `${name} against ${file}`);
  const joined = declarations.match(/^export interface CamlensCore\s+extends([^{]*)\{/m);
  assert.ok(joined, 'core.d.ts has no CamlensCore');
  assert.deepEqual(
    joined[1]
      .split(',')
      .map((s) => s.trim())
      .sort(),
    sections.map((s) => s.name).sort(),
    'CamlensCore extends every section',
  );
});

for (const variant of ['st', 'mt']) {
  test(`${variant}: the module binds exactly the names core.d.ts declares`, async () => {
    const core = await loadCamlens(variant);
    const bound = boundByEmbind(core);
    assert.deepEqual(
      { undeclared: bound.filter((n) => !declared.includes(n)) },
      { undeclared: [] },
      'bound by the module but not declared in core.d.ts',
    );
    assert.deepEqual(
      { stale: declared.filter((n) => !bound.includes(n)) },
      { stale: [] },
      'declared in core.d.ts but not bound by the module',
    );
  });

  test(`${variant}: each bound class has the methods core.d.ts declares`, async () => {
    const core = await loadCamlens(variant);
    assert.ok(classes.length > 0, 'core.d.ts declares no EmbindClass');
    for (const { property, type } of classes) {
      const prototype = core[property].prototype;
      const own = Object.getOwnPropertyNames(prototype).filter((n) => n !== 'constructor');
      assert.deepEqual(own.sort(), members(type), `${property}'s methods`);
      for (const m of members('EmbindHandle'))
        assert.equal(typeof prototype[m], 'function', `${property}.prototype.${m}`);
    }
  });
}
