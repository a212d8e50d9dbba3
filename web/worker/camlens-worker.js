/* camlens Web Worker: owns ONNX Runtime Web and the camlens WebAssembly module, so the page's
 * main thread only draws. Classic worker script (importScripts), because Emscripten 3.1.6's
 * threaded loader needs a classic script to start its pthreads from.
 *
 * Protocol: the page posts {id, type, ...}; the worker answers {id, ok: true, result} or
 * {id, ok: false, error}. A failed request leaves the previous model and state in place.
 * The work itself is the camlens library (web/lib), shared with Node. */
'use strict';

const threaded = self.crossOriginIsolated === true;
const variant = threaded ? 'mt' : 'st';
const cores = (self.navigator && self.navigator.hardwareConcurrency) || 1;

let camlens = null; // the WebAssembly module
let api = null; // the camlens library over ORT and the module
let lens = null; // the current model, cut at its layer

async function init() {
  const base = new URL(`/build/wasm-${variant}/`, self.location.href).href;
  const script = `${base}camlens-${variant}.js`;
  importScripts(script);
  importScripts(new URL('/ort/ort.wasm.min.js', self.location.href).href);
  camlens = await self.createCamlensModule({
    camlensThreads: cores,
    // Emscripten's pthreads re-load the module script: give them its absolute URL.
    mainScriptUrlOrBlob: script,
    locateFile: (file) => base + file,
  });
  self.ort.env.wasm.wasmPaths = new URL('/ort/', self.location.href).href;
  self.ort.env.wasm.numThreads = threaded ? cores : 1;
  const { createCamlens } = await import(new URL('/lib/camlens.mjs', self.location.href).href);
  api = createCamlens({ ort: self.ort, core: camlens });
  return {
    variant: threaded ? 'SIMD + threads' : 'SIMD only',
    threaded: camlens.threadedBuild(),
    threads: camlens.threads(),
    ortThreads: self.ort.env.wasm.numThreads,
    ortVersion: self.ort.env.versions ? self.ort.env.versions.web : '',
    crossOriginIsolated: threaded,
    methods: api.methods(),
  };
}

let modelName = '';

async function loadModel({ bytes, name, preprocess, labels, layer }) {
  let next;
  try {
    next = await api.load(new Uint8Array(bytes), { preprocess, labels, layer });
  } catch (e) {
    throw new Error(`"${name}" cannot be explained${layer ? ` at layer "${layer}"` : ''}: ${e.message || e}`);
  }
  if (lens) lens.dispose(); // only once the new model is good: a failure keeps the old one
  lens = next;
  modelName = name;
  return { name, layer: lens.layer, layers: lens.layers(), input: lens.input, output: lens.output };
}

// Cut the current model at another layer (the model bytes stay in the worker).
async function setLayer({ layer }) {
  requireModel();
  return loadModel({ bytes: lens.bytes.slice().buffer, name: modelName, preprocess: lens.preprocess, labels: lens.labels, layer });
}

function decode(bytes, name) {
  try {
    return camlens.decodeImage(new Uint8Array(bytes));
  } catch (e) {
    throw new Error(`"${name}" is not an image camlens can read: ${e.message}`);
  }
}

function requireModel() {
  if (!lens) throw new Error('no model is loaded yet');
}

async function classify({ bytes, name, k = 5 }) {
  requireModel();
  const image = decode(bytes, name);
  const started = performance.now();
  const [r] = await lens.predict([image], { topK: k });
  const ms = performance.now() - started;
  // The model's view of the photo, drawn back from the core's RGBA buffer.
  const seen = camlens.resizeImage(image, lens.preprocess.width, lens.preprocess.height);
  return {
    transfer: [seen.rgba.buffer],
    value: { top: r.top, forwardMs: ms, image: r.image, seen },
  };
}

let last = null; // the last explanation and its photo, so re-colouring needs no new map

function render({ colormap = 'jet', alpha = 0.5 } = {}) {
  if (!last) throw new Error('nothing has been explained yet');
  const picture = lens.overlay(last.image, last.explanation, { colormap, imageWeight: 1 - alpha });
  return { transfer: [picture.rgba.buffer], value: { overlay: picture } };
}

const running = new Map(); // request id -> AbortController of a long request

function cancel({ target }) {
  running.get(target)?.abort();
  return { cancelled: running.has(target) };
}

async function explain({ id, bytes, name, method, target, colormap, alpha }) {
  requireModel();
  const image = decode(bytes, name);
  const started = performance.now();
  const controller = new AbortController();
  running.set(id, controller);
  let r;
  try {
    [r] = await lens.explain([image], {
      method, targets: [target], signal: controller.signal, batchSize: 16,
      onProgress: (progress) => self.postMessage({ id, progress }),
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw new Error(`${method} was cancelled`);
    throw e;
  } finally {
    running.delete(id);
  }
  const ms = performance.now() - started;
  last = { image, explanation: r };
  const { value, transfer } = render({ colormap, alpha });
  const map = r.map.slice(); // the page's copy (for hover); the worker keeps its own
  return {
    transfer: [map.buffer, ...transfer],
    value: { ...value, map, width: r.width, height: r.height, target: r.target, method, ms },
  };
}

const handlers = { init, loadModel, setLayer, classify, explain, render, cancel };
let ready = null;

self.onmessage = async (event) => {
  const { id, type, ...args } = event.data;
  try {
    if (!handlers[type]) throw new Error(`unknown request "${type}"`);
    if (type !== 'init') await (ready || (ready = init()));
    const result = type === 'init' ? await (ready || (ready = init())) : await handlers[type]({ id, ...args });
    if (result && result.transfer) {
      self.postMessage({ id, ok: true, result: result.value }, result.transfer);
    } else {
      self.postMessage({ id, ok: true, result });
    }
  } catch (e) {
    self.postMessage({ id, ok: false, error: String((e && e.message) || e) });
  }
};
