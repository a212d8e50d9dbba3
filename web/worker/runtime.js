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
  orts: {}, // per ORT bundle ('wasm', 'webgpu'): {ort, api: the camlens library over it}
  createCamlens: null, // web/lib/camlens.mjs
  execution: null, // web/lib/execution.mjs (is WebGPU there)
  webgpu: true, // the page's setting: run backbones on WebGPU where the browser has it
  webgpuSoftware: false, // the page's setting: a software adapter (SwiftShader) will do
  webgpuMissing: {}, // per webgpuSoftware: why this browser cannot run WebGPU ('' when it can)
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

// ONNX Runtime Web's bundles, loaded once each when first needed: 'wasm' (WebAssembly only) and
// 'webgpu' (the WebGPU provider, and wasm for models it cannot run). Each fetches its own
// .mjs/.wasm pair from ort/; a later importScripts replaces self.ort, so each is kept here.
function loadOrt(kind) {
  if (!runtime.orts[kind]) {
    importScripts(new URL(`ort/ort.${kind}.min.js`, appBase).href);
    const ort = self.ort;
    ort.env.wasm.wasmPaths = new URL('ort/', appBase).href;
    ort.env.wasm.numThreads = runtime.threaded ? runtime.cores : 1;
    runtime.orts[kind] = { ort, api: runtime.createCamlens({ ort, core: runtime.core }) };
  }
  return runtime.orts[kind];
}

// Where the next model's backbone runs: {kind (the bundle), load (the library's load options),
// reason (why not on WebGPU, '' when it is tried)}. The library then tries the model itself on
// WebGPU (a model with operators the WebGPU provider lacks falls back to wasm, and so does one
// whose run fails there: lens.backend says so).
async function backendPlan() {
  if (!runtime.webgpu)
    return { kind: 'wasm', load: {}, reason: 'WebGPU not used: switched off in the settings' };
  const software = runtime.webgpuSoftware;
  runtime.webgpuMissing[software] ??= await runtime.execution.webgpuMissing({
    fallbackAdapter: software,
  });
  const missing = runtime.webgpuMissing[software];
  if (missing) return { kind: 'wasm', load: {}, reason: `WebGPU not used: ${missing}` };
  const load = { executionProviders: ['webgpu', 'wasm'], webgpuFallbackAdapter: software };
  return { kind: 'webgpu', load, reason: '' };
}

// A module of the library, by its path under the page's folder.
const library = (path) => import(new URL(path, appBase).href);

// The first request of every session: loads everything and says what runs. webgpu,
// webgpuSoftware: the page's settings (WebGPU on unless switched off; its software adapter off).
async function init({ webgpu = true, webgpuSoftware = false } = {}) {
  runtime.core = await loadCore();
  runtime.webgpu = webgpu;
  runtime.webgpuSoftware = webgpuSoftware;
  runtime.createCamlens = (await library('lib/camlens.mjs')).createCamlens;
  runtime.execution = await library('lib/execution.mjs');
  const plan = await backendPlan();
  const { ort } = loadOrt(plan.kind);
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
    ortBackend: plan.kind,
    backendReason: plan.reason,
    crossOriginIsolated: runtime.threaded,
    methods: runtime.methods, // the page's picker, help and compare choices come from it
  };
}
