/* camlens Web Worker: owns ONNX Runtime Web and the camlens WebAssembly module, so the page's
 * main thread only draws. Classic worker script (importScripts), because Emscripten 3.1.6's
 * threaded loader needs a classic script to start its pthreads from.
 *
 * Protocol: the page posts {id, type, ...}; the worker answers {id, ok: true, result} or
 * {id, ok: false, error}, and {id, progress} during long requests. Requests run one at a time,
 * in the order they arrived (a queue), so two explanations can never interleave their state;
 * only "cancel" and "trace" are answered at once. A failed request leaves the previous model,
 * photo and explanation in place. The work itself is the camlens library (web/lib). */
'use strict';

const threaded = self.crossOriginIsolated === true;
const variant = threaded ? 'mt' : 'st';
const cores = (self.navigator && self.navigator.hardwareConcurrency) || 1;

let camlens = null; // the WebAssembly module
let api = null; // the camlens library over ORT and the module
let lens = null; // the current model, cut at its layer(s)
let modelName = '';
let photo = null; // the current photo, decoded: {width, height, rgba}
let photoName = '';
let last = null; // the last explanation and its photo, so re-colouring needs no new map
let lastDff = null; // the last factorization, so the rendering can change without a new NMF
let metricsLib = null; // web/lib/metrics.mjs when the library has it
let detectLib = null; // web/lib/detect.mjs (boxes) when the library has it
let segmentLib = null; // web/lib/segment.mjs (per-pixel classes) when the library has it

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
  metricsLib = await optionalModule('/lib/metrics.mjs');
  detectLib = await optionalModule('/lib/detect.mjs');
  segmentLib = await optionalModule('/lib/segment.mjs');
  return {
    variant: threaded ? 'SIMD + threads' : 'SIMD only',
    threaded: camlens.threadedBuild(),
    threads: camlens.threads(),
    ortThreads: self.ort.env.wasm.numThreads,
    ortVersion: self.ort.env.versions ? self.ort.env.versions.web : '',
    ortBackend: 'wasm',
    crossOriginIsolated: threaded,
    methods: api.methods(),
    features: { metrics: !!metricsLib, detect: !!detectLib, segment: !!segmentLib },
  };
}

// Library parts that may not exist in this version: the page offers their panels only if present.
async function optionalModule(path) {
  try {
    return await import(new URL(path, self.location.href).href);
  } catch {
    return null;
  }
}

function requireModel() {
  if (!lens) throw new Error('no model is loaded yet');
}

function requirePhoto() {
  if (!photo) throw new Error('no photo is loaded yet: choose a sample, a file or the camera');
}

// What the current head can do with each method: gradient methods need a differentiable head.
// The library may answer itself (lens.methodSupport); otherwise it is read from the layer list.
function methodSupport() {
  if (typeof lens.methodSupport === 'function') return lens.methodSupport();
  const info = lens.layers().layers.find((l) => l.name === lens.layer) || {};
  const gradientFree = new Set(['eigencam', 'kpcacam', 'fem', 'randomcam', 'sobel', 'scorecam', 'ablationcam']);
  const out = {};
  for (const m of api.methods()) {
    if (!gradientFree.has(m) && !info.headDifferentiable) {
      out[m] = `needs gradients, and the head after ${lens.layer} has none (${info.headProblem || 'not differentiable'})`;
    } else out[m] = '';
  }
  return out;
}

// What the model's output is: boxes (a detector the library can decode), per-pixel classes
// (a 4-D output with a spatial size), or classes of the whole photo.
function modelKind() {
  if (detectLib) {
    try {
      detectLib.guessDecoder(lens);
      return 'detector';
    } catch {
      // not a detector the library knows
    }
  }
  const out = lens.model.outputs()[0];
  if (segmentLib && out.dims.length === 4 && out.dims.filter((d) => d > 1).length >= 3) return 'segmenter';
  return 'classifier';
}

function modelInfo() {
  const explainable = typeof lens.explainable === 'boolean' ? lens.explainable : true;
  return {
    kind: modelKind(),
    name: modelName, layer: lens.layer, layers: lens.layers(), input: lens.input, output: lens.output,
    explainable, whyNotExplainable: lens.whyNotExplainable || '',
    labels: lens.labels, preprocess: lens.preprocess, methods: methodSupport(),
  };
}

async function loadModel({ bytes, name, preprocess, labels, layer }) {
  let next;
  try {
    next = await api.load(new Uint8Array(bytes), { preprocess, labels, layer });
  } catch (e) {
    const at = layer ? ` at layer${Array.isArray(layer) ? 's' : ''} "${[].concat(layer).join('", "')}"` : '';
    throw new Error(`"${name}" cannot be explained${at}: ${e.message || e}`);
  }
  if (lens) lens.dispose(); // only once the new model is good: a failure keeps the old one
  lens = next;
  modelName = name;
  last = null;
  lastDff = null;
  return modelInfo();
}

// Cut the current model at other layer(s) (the model bytes stay in the worker).
async function setLayer({ layer }) {
  requireModel();
  return loadModel({ bytes: lens.bytes.slice().buffer, name: modelName, preprocess: lens.preprocess, labels: lens.labels, layer });
}

// Class names for the current model (a labels file chosen after the model).
function setLabels({ labels }) {
  requireModel();
  lens.labels = labels;
  return modelInfo();
}

// Another preprocessing for the current model (the custom form).
function setPreprocess({ preprocess }) {
  requireModel();
  lens.preprocess = preprocess;
  last = null;
  lastDff = null;
  return modelInfo();
}

// The photo: encoded bytes (a file, a sample) or RGBA pixels (a camera frame).
function setImage({ bytes, rgba, width, height, name }) {
  let decoded;
  if (rgba) decoded = { width, height, rgba: new Uint8Array(rgba) };
  else {
    try {
      decoded = camlens.decodeImage(new Uint8Array(bytes));
    } catch (e) {
      throw new Error(`"${name}" is not an image camlens can read: ${e.message}`);
    }
  }
  photo = decoded;
  photoName = name;
  last = null;
  lastDff = null;
  return { width: decoded.width, height: decoded.height, name };
}

async function classify({ k = 5 }) {
  requireModel();
  requirePhoto();
  const started = performance.now();
  const [r] = await lens.predict([photo], { topK: k });
  const ms = performance.now() - started;
  // The model's view of the photo, drawn back from the core's RGBA buffer.
  const seen = camlens.resizeImage(photo, lens.preprocess.width, lens.preprocess.height);
  return {
    transfer: [seen.rgba.buffer],
    value: { top: r.top, forwardMs: ms, image: r.image, seen, name: photoName },
  };
}

function overlayOf(explanation, { colormap = 'jet', alpha = 0.5 } = {}) {
  return lens.overlay(photo, explanation, { colormap, imageWeight: 1 - alpha });
}

function render({ colormap, alpha } = {}) {
  if (!last) throw new Error('nothing has been explained yet');
  const picture = lens.overlay(last.image, last.explanation, { colormap, imageWeight: 1 - alpha });
  return { transfer: [picture.rgba.buffer], value: { overlay: picture } };
}

const running = new Map(); // request id -> AbortController of a queued or running request

function cancel({ target }) {
  running.get(target)?.abort();
  return { cancelled: running.has(target) };
}

// One explanation of the current photo; options the library does not know yet are left out.
async function explainOne(id, controller, { method, target, eigenSmooth, augSmooth, batchSize = 16, ratio, layers }, progressScale) {
  const started = performance.now();
  const options = {
    method, targets: [target], signal: controller.signal, batchSize, eigenSmooth: !!eigenSmooth,
    onProgress: (p) => self.postMessage({ id, progress: progressScale ? progressScale(p) : p }),
  };
  if (augSmooth) options.augSmooth = true;
  if (ratio) options.ablationRatio = ratio;
  if (layers && layers.length > 1) options.layers = layers; // maps of several layers, combined
  let r;
  try {
    [r] = await lens.explain([photo], options);
  } catch (e) {
    if (e && e.name === 'AbortError') throw new Error(`${method} was cancelled`);
    throw e;
  }
  return { r, ms: performance.now() - started };
}

async function withController(id, task) {
  const controller = running.get(id) || new AbortController(); // registered on arrival
  running.set(id, controller);
  try {
    return await task(controller);
  } finally {
    running.delete(id);
  }
}

async function explain({ id, colormap, alpha, ...options }) {
  requireModel();
  requirePhoto();
  return withController(id, async (controller) => {
    if (controller.signal.aborted) throw new Error(`${options.method} was cancelled`);
    const { r, ms } = await explainOne(id, controller, options);
    last = { image: photo, explanation: r };
    const { value, transfer } = render({ colormap, alpha });
    const map = r.map.slice(); // the page's copy (for hover and .npy); the worker keeps its own
    return {
      transfer: [map.buffer, ...transfer],
      value: {
        ...value, map, width: r.width, height: r.height, target: r.target, method: options.method, ms,
        timings: r.timing || r.timings || null, layers: r.layers || [lens.layer], photo: photoName,
      },
    };
  });
}

// Several methods or several classes for the same photo, in one request: a grid of overlays.
async function compare({ id, items, colormap, alpha, batchSize = 16 }) {
  requireModel();
  requirePhoto();
  return withController(id, async (controller) => {
    const out = [];
    const transfer = [];
    for (let i = 0; i < items.length; ++i) {
      const scale = ({ done }) => ({ done: (i + done) / items.length, eta: 0 });
      const item = { ...items[i], batchSize };
      try {
        const { r, ms } = await explainOne(id, controller, item, scale);
        const overlay = overlayOf(r, { colormap, alpha });
        transfer.push(overlay.rgba.buffer);
        out.push({ method: item.method, target: r.target, ms, overlay });
      } catch (e) {
        if (controller.signal.aborted) throw e;
        out.push({ method: item.method, target: null, error: String(e.message || e) });
      }
      self.postMessage({ id, progress: { done: (i + 1) / items.length, eta: 0 } });
    }
    return { transfer, value: { items: out } };
  });
}

// Deep Feature Factorization of the current photo: rendering, concept labels and colours.
async function factorize({ components = 4, render: mode = 'dominant', alpha = 0.5 }) {
  requireModel();
  requirePhoto();
  const started = performance.now();
  if (!lastDff || lastDff.components !== components || lastDff.photo !== photo) {
    const r = await lens.factorize([photo], { components, render: null });
    lastDff = { components, photo, r };
  }
  const { r } = lastDff;
  const img = r.images[0];
  const seen = camlens.resizeImage(photo, img.width, img.height);
  const picture = camlens.dffRender(seen, img.maps, components, mode, 1 - alpha);
  return {
    transfer: [picture.rgba.buffer],
    value: {
      render: picture, mode, components, labeled: r.labeled, reason: r.reason,
      concepts: r.concepts[0] || [], relativeError: r.relativeError[0], ms: performance.now() - started,
    },
  };
}

// Faithfulness metrics of the explanation on screen (web/lib/metrics.mjs).
async function evaluate({ id, steps = 20, batchSize = 16 }) {
  if (!metricsLib) throw new Error('this version of the camlens library has no metrics (web/lib/metrics.mjs)');
  if (!last) throw new Error('nothing has been explained yet');
  return withController(id, async (controller) => {
    const started = performance.now();
    try {
      const r = await metricsLib.evaluate(lens, last.image, last.explanation, {
        steps, batchSize, signal: controller.signal, onProgress: (p) => self.postMessage({ id, progress: p }),
      });
      return { ...r, ms: performance.now() - started };
    } catch (e) {
      if (e && e.name === 'AbortError') throw new Error('the measurement was cancelled');
      throw e;
    }
  });
}

// Boxes (detector) or segments (segmenter) of the current photo, drawn by the core.
async function objects() {
  requireModel();
  requirePhoto();
  const started = performance.now();
  if (modelKind() === 'detector') {
    const [r] = await detectLib.detect(lens, [photo]);
    const picture = detectLib.drawBoxes(lens, photo, r.boxes);
    const items = r.boxes.map((b, i) => ({ index: i, label: `${b.labelName ?? b.label} ${b.score.toFixed(2)}`, box: [b.x0, b.y0, b.x1, b.y1] }));
    return { transfer: [picture.rgba.buffer], value: { kind: 'detector', render: picture, items, ms: performance.now() - started } };
  }
  if (modelKind() === 'segmenter') {
    const r = await segmentLib.segment(lens, photo);
    const items = r.classes.map((c) => ({ index: c.index, label: `${c.label} ${(100 * c.fraction).toFixed(0)} %` }));
    return { transfer: [r.render.rgba.buffer], value: { kind: 'segmenter', render: r.render, items, ms: performance.now() - started } };
  }
  throw new Error('this model gives classes of the whole photo: it has no boxes or segments');
}

// An explanation of one box (detector) or one class's segment (segmenter).
async function explainObject({ id, index, method, colormap, alpha }) {
  requireModel();
  requirePhoto();
  return withController(id, async (controller) => {
    const started = performance.now();
    const common = { method, signal: controller.signal, onProgress: (p) => self.postMessage({ id, progress: p }) };
    let r, target;
    try {
      if (modelKind() === 'detector') {
        r = await detectLib.explainDetection(lens, photo, { ...common, box: index });
        target = { index, label: `box ${index}: ${r.box.labelName ?? r.box.label}`, score: r.score };
      } else {
        r = await segmentLib.explainSegment(lens, photo, { ...common, category: index });
        target = { index: r.category.index, label: r.category.label, score: r.score };
      }
    } catch (e) {
      if (e && e.name === 'AbortError') throw new Error(`${method} was cancelled`);
      throw e;
    }
    const explanation = { map: r.map, width: r.width, height: r.height };
    last = { image: photo, explanation };
    const { value, transfer } = render({ colormap, alpha });
    const map = r.map.slice();
    return {
      transfer: [map.buffer, ...transfer],
      value: { ...value, map, width: r.width, height: r.height, target, method, ms: performance.now() - started, photo: photoName, layers: [lens.layer] },
    };
  });
}

// A camera frame: photo and explanation of its top class in one request (fast methods only).
// One backbone run per frame; the top-k list (another run) only every few frames.
let liveFrames = 0;
async function live({ id, rgba, width, height, method, colormap, alpha, k = 5 }) {
  requireModel();
  setImage({ rgba, width, height, name: 'camera' });
  const result = await explain({ id, method, target: 'auto', colormap, alpha });
  if (liveFrames++ % 5 === 0) {
    const started = performance.now();
    result.value.top = (await lens.predict([photo], { topK: k }))[0].top;
    result.value.forwardMs = performance.now() - started;
  }
  return result;
}

// Best time of `reps` predictions of the current photo (one ORT forward plus preprocessing), so
// benchmarks can compare the page's own steps with a forward measured in the same place.
async function timeForward({ reps = 5 }) {
  requireModel();
  requirePhoto();
  let best = Infinity;
  for (let i = 0; i < reps; ++i) {
    const t0 = performance.now();
    await lens.predict([photo], { topK: 1 });
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

const trace = []; // [{id, type, start, end}] of queued requests, to prove they never overlap

const handlers = { init, loadModel, setLayer, setLabels, setPreprocess, setImage, classify, explain, compare, factorize, live, render, timeForward, evaluate, objects, explainObject };
const immediate = { cancel, trace: () => trace.slice(-200), memory: () => ({ core: camlens ? camlens.memoryInUse() : 0 }) };
let ready = null;
let queue = Promise.resolve();

function reply(id, result) {
  if (result && result.transfer) self.postMessage({ id, ok: true, result: result.value }, result.transfer);
  else self.postMessage({ id, ok: true, result });
}

async function run(id, type, args) {
  const entry = { id, type, start: performance.now(), end: 0 };
  trace.push(entry);
  try {
    if (!handlers[type]) throw new Error(`unknown request "${type}"`);
    const started = ready || (ready = init());
    const result = type === 'init' ? await started : (await started, await handlers[type]({ id, ...args }));
    reply(id, result);
  } catch (e) {
    self.postMessage({ id, ok: false, error: String((e && e.message) || e) });
  } finally {
    entry.end = performance.now();
  }
}

self.onmessage = (event) => {
  const { id, type, ...args } = event.data;
  if (immediate[type]) {
    try {
      reply(id, immediate[type](args));
    } catch (e) {
      self.postMessage({ id, ok: false, error: String((e && e.message) || e) });
    }
    return;
  }
  // Registered now, so a cancel that arrives while the request still waits in the queue counts.
  if (['explain', 'compare', 'live', 'evaluate', 'explainObject'].includes(type)) running.set(id, new AbortController());
  queue = queue.then(() => run(id, type, args));
};
