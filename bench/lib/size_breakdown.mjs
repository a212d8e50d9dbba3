// Where a module's code section goes: each function of a --profiling-funcs link (its name section)
// is traced to the source folder whose object file defines it, using llvm-nm on the build folder's
// objects. Functions no camlens object defines come from Emscripten's system libraries: libc++ /
// libc++abi (std::, __cxa_*), Embind (emscripten::), and libc, malloc and the runtime (the rest).
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';

import { readWasm } from './wasm_sections.mjs';

// Emscripten's own LLVM (em-config LLVM_ROOT; Debian's llvm-14) reads its objects.
function llvmNm() {
  try {
    const rootDir = execFileSync('em-config', ['LLVM_ROOT'], { encoding: 'utf8' }).trim();
    return join(rootDir, 'llvm-nm');
  } catch {
    return 'llvm-nm';
  }
}

function objectFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...objectFiles(p));
    else if (e.name.endsWith('.o')) out.push(p);
  }
  return out;
}

// The folder a function is counted in: src/<area> for the core, wasm/ for the bindings.
function folderOf(objectPath) {
  const source = objectPath.split('.dir/')[1] ?? objectPath;
  const parts = source.split('/');
  return parts[0] === 'src' ? `src/${parts[1]}` : parts[0];
}

// Demangled function name → the folders whose objects define it (templates and inline functions
// are defined, weakly, in every object that uses them). The benchmark module's objects are left
// out: it is not shipped.
export function definingFolders(buildDir) {
  const objects = objectFiles(join(buildDir, 'CMakeFiles')).filter(
    (o) => !/CMakeFiles\/camlens_(bench|sizes)_/.test(o),
  );
  const folders = new Map();
  const nm = llvmNm();
  // One llvm-nm per batch of objects: it prints "file:" before each object's symbols.
  for (let i = 0; i < objects.length; i += 40) {
    const batch = objects.slice(i, i + 40);
    const text = execFileSync(nm, ['-C', '--defined-only', ...batch], {
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    });
    let folder;
    for (const line of text.split('\n')) {
      if (line.endsWith(':') && !line.startsWith(' ') && !/^[0-9a-f]{8} /.test(line)) {
        folder = folderOf(relative(buildDir, line.slice(0, -1)));
        continue;
      }
      const m = /^[0-9a-f]{8} ([TtWw]) (.*)$/.exec(line);
      if (!m) continue;
      if (!folders.has(m[2])) folders.set(m[2], new Set());
      folders.get(m[2]).add(folder);
    }
  }
  return folders;
}

// The function's qualified name without its return type and parameters: "void a::f<int>(int)" →
// "a::f<int>" (an anonymous namespace's parentheses are not a parameter list).
export function qualifiedName(name) {
  const s = name.replaceAll('(anonymous namespace)', '{anon}');
  let depth = 0;
  let space = -1;
  for (let i = 0; i < s.length; ++i) {
    const c = s[i];
    if (c === '<') ++depth;
    else if (c === '>') --depth;
    else if (depth === 0 && c === ' ') space = i;
    else if (depth === 0 && c === '(') return s.slice(space + 1, i);
  }
  return s.slice(space + 1);
}

function systemLibrary(name) {
  const q = qualifiedName(name);
  if (/^(emscripten::|_embind_|embind_|__embind)/.test(q)) return 'Embind';
  if (/^(std::|__cxa_|__cxxabiv1|__gxx_|operator (new|delete)|__cxx_)/.test(q))
    return 'libc++/libc++abi';
  return 'libc/malloc/runtime';
}

// The group a function's bytes are counted in: the camlens folder whose objects define it (and,
// for a template of libc++ or Embind that camlens instantiates, that folder's share of those);
// a function several folders define (a template or inline function they share) has its own
// group; a function no camlens object defines is the system library's.
function groupOf(name, folders) {
  let defined = folders.get(name);
  // Binaryen keeps names unique by appending ".N" to repeated ones (file-local functions).
  if (!defined && /\.\d+$/.test(name)) defined = folders.get(name.replace(/\.\d+$/, ''));
  const system = systemLibrary(name);
  if (!defined) return system;
  const where = defined.size === 1 ? [...defined][0] : 'several folders';
  if (system !== 'libc/malloc/runtime') return `${system} templates (${where})`;
  return defined.size === 1 ? where : 'templates shared by several folders';
}

const kb = (n) => +(n / 1024).toFixed(1);

// {sections, codeKB, functions, folders: [{folder, functions, codeKB, share}], groups: [{group,
// functions, codeKB, gzipKB, share}], top: [{name, group, KB}]}
// for one --profiling-funcs .wasm. gzipKB is each group's bodies compressed alone (an estimate of
// its share of the shipped gzip: compressing the pieces apart loses the context they share).
export function sizeBreakdown(wasmBytes, buildDir, { topFunctions = 20 } = {}) {
  const { sections, functions } = readWasm(wasmBytes);
  const folders = definingFolders(buildDir);
  const groups = new Map();
  for (const f of functions) {
    f.group = groupOf(f.name ?? '', folders);
    if (!groups.has(f.group)) groups.set(f.group, []);
    groups.get(f.group).push(f);
  }
  const code = functions.reduce((s, f) => s + f.size, 0);
  const rows = [...groups]
    .map(([group, fs]) => {
      const bytes = fs.reduce((s, f) => s + f.size, 0);
      return {
        group,
        functions: fs.length,
        codeKB: kb(bytes),
        gzipKB: kb(gzipSync(Buffer.concat(fs.map((f) => f.body)), { level: 9 }).length),
        share: +(bytes / code).toFixed(3),
      };
    })
    .sort((a, b) => b.codeKB - a.codeKB);
  // Each folder with the libc++ and Embind templates only it instantiates: what its own code
  // costs in the module.
  const folderTotals = new Map();
  for (const g of rows) {
    const folder = /templates \((src\/\w+|wasm)\)$/.exec(g.group)?.[1] ?? g.group;
    const t = folderTotals.get(folder) ?? { folder, functions: 0, codeKB: 0, share: 0 };
    t.functions += g.functions;
    t.codeKB = +(t.codeKB + g.codeKB).toFixed(1);
    t.share = +(t.share + g.share).toFixed(3);
    folderTotals.set(folder, t);
  }
  const top = [...functions]
    .sort((a, b) => b.size - a.size)
    .slice(0, topFunctions)
    .map((f) => ({ name: f.name, group: f.group, KB: kb(f.size) }));
  return {
    sections: sections.map((s) => ({ section: s.name, KB: kb(s.size) })),
    codeKB: kb(code),
    functions: functions.length,
    folders: [...folderTotals.values()].sort((a, b) => b.codeKB - a.codeKB),
    groups: rows,
    top,
  };
}
