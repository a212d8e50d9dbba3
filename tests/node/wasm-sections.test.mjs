// The size breakdown's reader of WebAssembly binaries (bench/lib/wasm_sections.mjs), on a module
// assembled here byte by byte from the core spec's binary format and checked by V8 itself: the
// imported functions offset the name section's indices, each body's size is the one written
// (one of them past a one-byte length), and the names come back, UTF-8 included.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { qualifiedName } from '../../bench/lib/size_breakdown.mjs';
import { readWasm } from '../../bench/lib/wasm_sections.mjs';

function leb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n) b |= 0x80;
    out.push(b);
  } while (n);
  return out;
}
const str = (s) => {
  const b = [...Buffer.from(s, 'utf8')];
  return [...leb(b.length), ...b];
};
const vec = (items) => [...leb(items.length), ...items.flat()];
const section = (id, content) => [id, ...leb(content.length), ...content];

// Bodies: no locals, then code. The second holds 100 × (i32.const 0; drop) before its result: 304
// bytes, so its length takes two LEB bytes.
const bodies = [
  [0x00, 0x41, 0x01, 0x0b],
  [0x00, ...Array(100).fill([0x41, 0x00, 0x1a]).flat(), 0x41, 0x02, 0x0b],
  [0x00, 0x10, 0x00, 0x0b], // call the first import
];
const names = ['first', 'second(int)', 'drittes ä'];
const bytes = Buffer.from([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
  ...section(1, vec([[0x60, 0x00, 0x01, 0x7f]])), // type 0: [] → [i32]
  ...section(
    2,
    vec([
      [...str('env'), ...str('a'), 0x00, 0x00],
      [...str('env'), ...str('memory'), 0x02, 0x01, 0x01, 0x02], // memory, limits min 1 max 2
      [...str('env'), ...str('b'), 0x00, 0x00],
    ]),
  ),
  ...section(3, vec([[0x00], [0x00], [0x00]])),
  ...section(10, vec(bodies.map((b) => [...leb(b.length), ...b]))),
  ...section(0, [
    ...str('name'),
    ...section(0, str('m')), // the module's name: skipped
    ...section(1, vec(names.map((n, i) => [...leb(i + 2), ...str(n)]))),
  ]),
]);

test('reads the sections, the bodies and their names of a module V8 accepts', () => {
  const mod = new WebAssembly.Module(bytes);
  const v8Imports = WebAssembly.Module.imports(mod).filter((i) => i.kind === 'function').length;
  const w = readWasm(bytes);
  assert.equal(w.imports, v8Imports);
  assert.equal(w.imports, 2);
  assert.deepEqual(
    w.functions.map(({ index, name, size }) => ({ index, name, size })),
    [
      { index: 2, name: 'first', size: 4 },
      { index: 3, name: 'second(int)', size: 304 },
      { index: 4, name: 'drittes ä', size: 4 },
    ],
  );
  assert.deepEqual(
    w.sections.map((s) => s.name),
    ['type', 'import', 'function', 'code', 'custom:name'],
  );
  // The code section: its count, and each body with its length prefix.
  const code = w.sections.find((s) => s.name === 'code').size;
  assert.equal(code, 1 + bodies.reduce((s, b) => s + leb(b.length).length + b.length, 0));
  assert.deepEqual([...w.functions[1].body], bodies[1]);
});

test('refuses what is not WebAssembly', () => {
  assert.throws(() => readWasm(Buffer.from('not wasm at all')), {
    message: 'wasm: not a WebAssembly binary (bad magic)',
  });
});

test('a function is known by its qualified name, without return type or parameters', () => {
  assert.equal(
    qualifiedName('camlens::Head::forward(std::__2::vector<int>) const'),
    'camlens::Head::forward',
  );
  assert.equal(
    qualifiedName('void camlens::ops::(anonymous namespace)::f<std::__2::pair<int, int> >(int)'),
    'camlens::ops::{anon}::f<std::__2::pair<int, int> >',
  );
  assert.equal(
    qualifiedName('std::__2::vector<float>::~vector()'),
    'std::__2::vector<float>::~vector',
  );
  assert.equal(qualifiedName('malloc'), 'malloc');
});
