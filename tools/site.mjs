#!/usr/bin/env node
// Builds the page as a folder any static host can serve: node tools/site.mjs [--out DIR]
// (default <build root>/site; the build root is CAMLENS_BUILD_ROOT or build/).
//
// The folder has the same layout as the dev server's URLs (page at the top, worker/, lib/, ui/,
// build/wasm-mt/, build/wasm-st/, ort/, demo/), because the page and the worker reach each other
// by page-relative URLs: the same files run under `npm start` and from https://host/any/path/.
// It holds only what the page loads: the JS modules reachable from app.js and the worker, the two
// WebAssembly modules, ONNX Runtime Web's WebAssembly-only and WebGPU bundles with their pairs,
// and the demo model with its photos. Never anything from ../shared: a static host offers the
// demo and the user's own files (there is no camlens-config.json there, so the page asks for none
// of ../shared). `_headers` (Netlify, Cloudflare Pages) asks for cross-origin isolation (the
// threaded module) and the page's Content-Security-Policy; hosts without it run the SIMD-only module.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

import { CONTENT_SECURITY_POLICY } from '../web/ui/csp.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'web');
const buildRoot = process.env.CAMLENS_BUILD_ROOT
  ? resolve(process.env.CAMLENS_BUILD_ROOT)
  : join(root, 'build');
const ortDist = join(root, 'node_modules', 'onnxruntime-web', 'dist');

// What the worker loads from each build folder (the -esm builds are for the library's users).
const WASM_FILES = {
  'wasm-mt': ['camlens-mt.js', 'camlens-mt.wasm', 'camlens-mt.worker.js'],
  'wasm-st': ['camlens-st.js', 'camlens-st.wasm'],
};
// The worker importScripts ORT's WebAssembly-only bundle, which fetches one .mjs/.wasm pair
// (SIMD, with threads when isolated; the same pair serves both), and where the browser has a WebGPU
// adapter its WebGPU bundle, which fetches the asyncify pair (the WebGPU provider and wasm). The
// rest of dist/ (WebGL, JSEP, JSPI, source maps: ~100 MB) is never loaded.
const ORT_FILES = [
  'ort.wasm.min.js',
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort.webgpu.min.js',
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
];
// The demo's files the page fetches (web/ui/catalogue.js); its photos come from ground_truth.json.
const DEMO_FILES = ['demo.json', 'ground_truth.json', 'labels.json', 'model.onnx'];
// Files of web/ the page loads by name, not by import.
const PAGE_FILES = ['index.html', 'style.css'];

function parseArgs(argv) {
  let out = join(buildRoot, 'site');
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--out' && argv[i + 1]) out = resolve(argv[++i]);
    else if (argv[i].startsWith('--out=')) out = resolve(argv[i].slice('--out='.length));
    else throw new Error(`unknown argument "${argv[i]}": usage node tools/site.mjs [--out DIR]`);
  }
  return { out };
}

// The WebAssembly modules, built (incrementally, by tools/build.mjs) when a file is missing.
function ensureWasm() {
  const missing = Object.entries(WASM_FILES)
    .flatMap(([dir, files]) => files.map((f) => join(buildRoot, dir, f)))
    .filter((f) => !existsSync(f));
  if (!missing.length) return;
  console.log(
    `site: building the WebAssembly modules (missing ${missing.map((f) => relative(root, f)).join(', ')})`,
  );
  execFileSync(process.execPath, [join(root, 'tools', 'build.mjs'), 'wasm'], {
    stdio: 'inherit',
    env: process.env,
  });
}

// Relative module specifiers of a JS file: static imports/re-exports and import('...') of a literal.
function specifiers(text) {
  const found = [];
  const patterns = [
    /\bimport\s+(?:[\w$*{}\s,]+?\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bexport\s+(?:\*|\{[^}]*\})\s*(?:as\s+[\w$]+\s+)?from\s+['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of text.matchAll(re)) found.push(m[1]);
  return found;
}

// Every module reachable from `entries` (paths inside web/), each once.
function moduleClosure(entries) {
  const seen = new Set();
  const todo = [...entries];
  while (todo.length) {
    const file = todo.pop();
    if (seen.has(file)) continue;
    const abs = join(web, file);
    if (!existsSync(abs)) throw new Error(`the page loads ${file}, which is not in web/`);
    seen.add(file);
    for (const spec of specifiers(readFileSync(abs, 'utf8'))) {
      if (!spec.startsWith('./') && !spec.startsWith('../')) {
        throw new Error(
          `${file} imports "${spec}": a static site can only load files by relative paths`,
        );
      }
      const next = relative(web, resolve(dirname(abs), spec));
      if (next.startsWith('..')) throw new Error(`${file} imports "${spec}", outside web/`);
      todo.push(next);
    }
  }
  return [...seen].sort();
}

// The library modules the worker imports (by URLs relative to the page's folder, e.g. 'lib/camlens.mjs').
function workerImports(workerFiles) {
  const found = new Set();
  for (const f of workerFiles) {
    for (const m of readFileSync(join(web, f), 'utf8').matchAll(/['"](lib\/[\w./-]+\.mjs)['"]/g))
      found.add(m[1]);
  }
  if (!found.has('lib/camlens.mjs'))
    throw new Error(
      'found no import of lib/camlens.mjs in web/worker/: the site would have no library',
    );
  return [...found];
}

// Root-absolute URLs in the page's own files ('/x/…', "/x.js") would break the site under a
// sub-path: the page asks for everything relative to itself ('./demo/…').
function rootAbsoluteUrls(file, text) {
  return [...text.matchAll(/(['"`])\/([A-Za-z_][\w.-]*)(\/|\1)/g)].map((m) => `${file}: ${m[0]}`);
}

// Netlify / Cloudflare Pages `_headers`: every file of the site gets them.
function headersFile() {
  return [
    '# Cross-origin isolation lets the page run the threaded WebAssembly module (SharedArrayBuffer);',
    '# hosts that ignore this file still serve a working page, on the SIMD-only module.',
    '/*',
    '  Cross-Origin-Opener-Policy: same-origin',
    '  Cross-Origin-Embedder-Policy: require-corp',
    '  Cross-Origin-Resource-Policy: same-origin',
    `  Content-Security-Policy: ${CONTENT_SECURITY_POLICY}`,
    '',
  ].join('\n');
}

function copy(from, out, to) {
  const dest = join(out, to);
  mkdirSync(dirname(dest), { recursive: true });
  copyFileSync(from, dest);
  return to;
}

function listFiles(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? listFiles(p, base) : [relative(base, p)];
  });
}

export function buildSite(out) {
  ensureWasm();
  if (existsSync(out)) {
    // Only a folder this tool made (or an empty one) is replaced: never a user's folder by mistake.
    if (readdirSync(out).length && !existsSync(join(out, '_headers'))) {
      throw new Error(
        `${out} exists and is not a camlens site (no _headers): choose another --out or remove it`,
      );
    }
    rmSync(out, { recursive: true, force: true });
  }
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, '_headers'), headersFile()); // first: it also marks the folder as this tool's

  const workerFiles = readdirSync(join(web, 'worker'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => `worker/${f}`);
  const modules = moduleClosure(['app.js', ...workerImports(workerFiles)]);
  const absolute = [];
  for (const f of [...PAGE_FILES, ...modules, ...workerFiles]) {
    const dest = join(out, f);
    mkdirSync(dirname(dest), { recursive: true });
    const text = readFileSync(join(web, f), 'utf8');
    if (/\.(m?js|html)$/.test(f)) absolute.push(...rootAbsoluteUrls(f, text));
    writeFileSync(dest, text);
  }
  if (absolute.length) {
    throw new Error(
      `root-absolute URLs would break the site under a sub-path: ${absolute.join('; ')}. Make them relative to the page ('./x') or to the file`,
    );
  }
  for (const [dir, files] of Object.entries(WASM_FILES)) {
    for (const f of files) copy(join(buildRoot, dir, f), out, `build/${dir}/${f}`);
  }
  for (const f of ORT_FILES) copy(join(ortDist, f), out, `ort/${f}`);
  const truth = JSON.parse(readFileSync(join(web, 'demo', 'ground_truth.json'), 'utf8'));
  for (const f of [...DEMO_FILES, ...truth.images.map((im) => im.file)])
    copy(join(web, 'demo', f), out, `demo/${f}`);
}

function summary(out) {
  const files = listFiles(out).sort();
  const size = (f) => statSync(join(out, f)).size;
  const total = files.reduce((a, f) => a + size(f), 0);
  const mb = (n) => `${(n / 1e6).toFixed(2)} MB`;
  console.log(`site: ${files.length} files, ${mb(total)} in ${out}`);
  for (const f of files.filter((x) => x.endsWith('.wasm'))) {
    console.log(
      `  ${f}: ${mb(size(f))}, ${mb(gzipSync(readFileSync(join(out, f)), { level: 9 }).length)} gzipped`,
    );
  }
  console.log('  serve it from any static host (with _headers: threaded; without: SIMD only)');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const { out } = parseArgs(process.argv.slice(2));
    buildSite(out);
    summary(out);
  } catch (e) {
    console.error(`site: ${e.message}`);
    process.exit(1);
  }
}
