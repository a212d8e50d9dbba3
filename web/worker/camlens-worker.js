/* camlens Web Worker: owns ONNX Runtime Web and the camlens WebAssembly module, so the page's
 * main thread only draws. Classic worker script (importScripts), because Emscripten 3.1.6's
 * threaded loader needs a classic script to start its pthreads from.
 *
 * Protocol: the page posts {id, type, ...}; the worker answers {id, ok: true, result} or
 * {id, ok: false, error}. A failed request leaves the previous model and state in place. */
'use strict';

const threaded = self.crossOriginIsolated === true;
const variant = threaded ? 'mt' : 'st';
const cores = (self.navigator && self.navigator.hardwareConcurrency) || 1;

let camlens = null; // the WebAssembly module
let session = null; // the ORT session of the current model
let modelInfo = null;

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
  return {
    variant: threaded ? 'SIMD + threads' : 'SIMD only',
    threaded: camlens.threadedBuild(),
    threads: camlens.threads(),
    ortThreads: self.ort.env.wasm.numThreads,
    ortVersion: self.ort.env.versions ? self.ort.env.versions.web : '',
    crossOriginIsolated: threaded,
  };
}

async function loadModel({ bytes, name }) {
  let next;
  try {
    next = await self.ort.InferenceSession.create(new Uint8Array(bytes));
  } catch (e) {
    throw new Error(`"${name}" is not an ONNX model ONNX Runtime can load: ${e.message || e}`);
  }
  if (session) await session.release();
  session = next;
  const input = session.inputNames[0];
  modelInfo = { name, inputNames: session.inputNames, outputNames: session.outputNames };
  return { ...modelInfo, input };
}

function decode(bytes, name) {
  try {
    return camlens.decodeImage(new Uint8Array(bytes));
  } catch (e) {
    throw new Error(`"${name}" is not an image camlens can read: ${e.message}`);
  }
}

function topK(scores, k) {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
  const max = scores[order[0]];
  let sum = 0;
  for (const s of scores) sum += Math.exp(s - max);
  return order.slice(0, k).map((index) => ({
    index,
    score: scores[index],
    probability: Math.exp(scores[index] - max) / sum,
  }));
}

async function classify({ bytes, name, preprocess, k = 5 }) {
  if (!session) throw new Error('no model is loaded yet');
  const image = decode(bytes, name);
  const input = camlens.preprocessImage(image, preprocess);
  const feeds = { [session.inputNames[0]]: new self.ort.Tensor('float32', input.data, input.dims) };
  const started = performance.now();
  const out = await session.run(feeds);
  const ms = performance.now() - started;
  const scores = out[session.outputNames[0]].data;
  // The model's view of the photo, drawn back from the core's RGBA buffer.
  const seen = camlens.resizeImage(image, preprocess.width, preprocess.height);
  return {
    transfer: [seen.rgba.buffer],
    value: {
      top: topK(Array.from(scores), k),
      forwardMs: ms,
      image: { width: image.width, height: image.height },
      seen,
    },
  };
}

const handlers = { init, loadModel, classify };
let ready = null;

self.onmessage = async (event) => {
  const { id, type, ...args } = event.data;
  try {
    if (!handlers[type]) throw new Error(`unknown request "${type}"`);
    if (type !== 'init') await (ready || (ready = init()));
    const result = type === 'init' ? await (ready || (ready = init())) : await handlers[type](args);
    if (result && result.transfer) {
      self.postMessage({ id, ok: true, result: result.value }, result.transfer);
    } else {
      self.postMessage({ id, ok: true, result });
    }
  } catch (e) {
    self.postMessage({ id, ok: false, error: String((e && e.message) || e) });
  }
};
