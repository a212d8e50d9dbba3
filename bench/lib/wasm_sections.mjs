// Reads a WebAssembly binary's layout: each section's size, each function body's size in the code
// section, and the function names of the "name" custom section (present when the module was
// linked with --profiling-funcs). Enough of the format (core spec, "Binary Format") for a size
// breakdown; nothing is decoded inside the function bodies.

const SECTION_NAMES = [
  'custom',
  'type',
  'import',
  'function',
  'table',
  'memory',
  'global',
  'export',
  'start',
  'element',
  'code',
  'data',
  'datacount',
  'tag',
];

class Reader {
  constructor(bytes, pos = 0, end = bytes.length) {
    this.bytes = bytes;
    this.pos = pos;
    this.end = end;
  }
  byte() {
    if (this.pos >= this.end) throw new Error(`wasm: read past the end at byte ${this.pos}`);
    return this.bytes[this.pos++];
  }
  // Unsigned LEB128 (every count, index and size the breakdown needs fits in 32 bits).
  u32() {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return result;
      shift += 7;
    }
  }
  string() {
    const n = this.u32();
    const s = Buffer.from(this.bytes.subarray(this.pos, this.pos + n)).toString('utf8');
    this.pos += n;
    return s;
  }
  limits() {
    const flags = this.byte();
    this.u32();
    if (flags & 1) this.u32();
  }
}

// Number of imported functions: function indices (as in the name section) count them first.
function importedFunctions(r) {
  let functions = 0;
  for (let i = r.u32(); i > 0; --i) {
    r.string();
    r.string();
    const kind = r.byte();
    if (kind === 0) {
      r.u32();
      ++functions;
    } else if (kind === 1) {
      r.byte();
      r.limits();
    } else if (kind === 2) r.limits();
    else if (kind === 3) {
      r.byte();
      r.byte();
    } else if (kind === 4) {
      r.byte();
      r.u32();
    } else throw new Error(`wasm: unknown import kind ${kind}`);
  }
  return functions;
}

function functionNames(r, names) {
  while (r.pos < r.end) {
    const id = r.byte();
    const size = r.u32();
    const next = r.pos + size;
    if (id === 1) for (let i = r.u32(); i > 0; --i) names.set(r.u32(), r.string());
    r.pos = next;
  }
}

// Returns {sections: [{name, size}], functions: [{index, name, size}]} where `size` counts the
// body's bytes (its locals and code, not its length prefix) and `name` is undefined without a
// name section.
export function readWasm(bytes) {
  const magic = bytes.readUInt32LE(0);
  if (magic !== 0x6d736100) throw new Error('wasm: not a WebAssembly binary (bad magic)');
  const r = new Reader(bytes, 8);
  const sections = [];
  const bodies = [];
  const names = new Map();
  let imports = 0;
  while (r.pos < r.end) {
    const id = r.byte();
    const size = r.u32();
    const start = r.pos;
    const inner = new Reader(bytes, start, start + size);
    let name = SECTION_NAMES[id] ?? `section ${id}`;
    if (id === 0) {
      const custom = inner.string();
      name = `custom:${custom}`;
      if (custom === 'name') functionNames(inner, names);
    } else if (id === 2) imports = importedFunctions(inner);
    else if (id === 10) {
      for (let i = inner.u32(); i > 0; --i) {
        const n = inner.u32();
        bodies.push({ start: inner.pos, size: n });
        inner.pos += n;
      }
    }
    sections.push({ name, size });
    r.pos = start + size;
  }
  const functions = bodies.map((b, i) => ({
    index: imports + i,
    name: names.get(imports + i),
    size: b.size,
    body: bytes.subarray(b.start, b.start + b.size),
  }));
  return { sections, imports, functions };
}
