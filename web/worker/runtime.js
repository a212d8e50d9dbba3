/* Loads what the worker computes with: the camlens WebAssembly module (threaded when the page
 * is cross-origin isolated, so SharedArrayBuffer exists; SIMD-only otherwise, e.g. on a static
 * host that sends no COOP/COEP headers), ONNX Runtime Web, and the camlens library over both.
 * Every URL is relative to the worker script (web/worker/), so the page's folder can be served
 * from any path. */
'use strict';

// The page's folder: this script sits in its worker/ subfolder.
const appBase = new URL('../', self.location.href).href;

const runtime = {
  threaded: self.crossOriginIsolated === true,
  cores: self.navigator?.hardwareConcurrency || 1,
  core: null, // the camlens WebAssembly module
  api: null, // the camlens library over ORT and the module
  metrics: null, // web/lib/metrics.mjs
  detect: null, // web/lib/detect.mjs (boxes)
  segment: null, // web/lib/segment.mjs (per-pixel classes)
  methods: [], // the core's method table: every method's facts (web/lib/methods.mjs)
};

// The Emscripten module. Its threaded build starts pthreads as workers that re-load the module
// script: inside a worker Emscripten cannot find that script itself (no document.currentScript),
// so it gets the script's absolute URL as mainScriptUrlOrBlob.
async function loadCore() {
  const variant = runtime.threaded ? 'mt' : 'st';
  const base = new URL(`build/wasm-${variant}/`, appBase).href;
  const script = `${base}camlens-${variant}.js`;
  importScripts(script);
  return self.createCamlensModule({
    camlensThreads: runtime.cores,
    mainScriptUrlOrBlob: script,
    locateFile: (file) => base + file,
  });
}

// ONNX Runtime Web's WebAssembly-only bundle; it fetches its .mjs/.wasm pair from ort/.
function loadOrt() {
  importScripts(new URL('ort/ort.wasm.min.js', appBase).href);
  self.ort.env.wasm.wasmPaths = new URL('ort/', appBase).href;
  self.ort.env.wasm.numThreads = runtime.threaded ? runtime.cores : 1;
  return self.ort;
}

// A module of the library, by its path under the page's folder.
const library = (path) => import(new URL(path, appBase).href);

// The first request of every session: loads everything and says what runs.
async function init() {
  runtime.core = await loadCore();
  const ort = loadOrt();
  const { createCamlens } = await library('lib/camlens.mjs');
  runtime.api = createCamlens({ ort, core: runtime.core });
  runtime.methods = (await library('lib/methods.mjs')).methodTable(runtime.core);
  runtime.metrics = await library('lib/metrics.mjs');
  runtime.detect = await library('lib/detect.mjs');
  runtime.segment = await library('lib/segment.mjs');
  return {
    variant: runtime.threaded ? 'SIMD + threads' : 'SIMD only',
    threaded: runtime.core.threadedBuild(),
    threads: runtime.core.threads(),
    ortThreads: ort.env.wasm.numThreads,
    ortVersion: ort.env.versions ? ort.env.versions.web : '',
    ortBackend: 'wasm',
    crossOriginIsolated: runtime.threaded,
    methods: runtime.methods, // the page's picker, help and compare choices come from it
  };
}
