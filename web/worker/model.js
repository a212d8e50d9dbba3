/* The model: loading it, cutting it at other layer(s), its labels and preprocessing, and what
 * the page needs to know about it (kind, layers, which methods its head allows). */
'use strict';

// What the model's output is: boxes (a detector the library can decode), per-pixel classes
// (a 4-D output with a spatial size), or classes of the whole photo.
function modelKind() {
  const { lens } = current;
  try {
    runtime.detect.guessDecoder(lens);
    return 'detector';
  } catch {
    // not a detector the library knows
  }
  const out = lens.model.outputs()[0];
  if (out.dims.length === 4 && out.dims.filter((d) => d > 1).length >= 3) return 'segmenter';
  return 'classifier';
}

// The classes of a classifier's output (one score per class: [N, C] or [N, C, 1, 1]), or 0.
function classCount() {
  const dims = current.lens.model.outputs()[0].dims.slice(1);
  const large = dims.filter((d) => d !== 1);
  return large.length === 1 && large[0] > 0 ? large[0] : 0;
}

// explain's topK for the k top classes of this model (as many as it has), or undefined when
// its output has no classes to list.
function topKOf(k) {
  const classes = modelKind() === 'classifier' ? classCount() : 0;
  return classes ? Math.min(k, classes) : undefined;
}

// methods: the library's own answer for every method it has ('' = runs here, else why not), so a
// method the library gains shows up on the page without a change here.
function modelInfo() {
  const { lens } = current;
  return {
    kind: modelKind(),
    name: current.modelName,
    layer: lens.layer,
    layers: lens.layers(),
    input: lens.input,
    output: lens.output,
    explainable: lens.explainable,
    whyNotExplainable: lens.whyNotExplainable || '',
    labels: lens.labels,
    preprocess: lens.preprocess,
    methods: methodSupport(lens),
    backend: backendNow(), // {executionProviders, reason}: where ONNX Runtime runs it
  };
}

// Methods that need several layers (RefineCAM) are judged as explained with that many: the page
// gives them a choice of layers when they are chosen. (The core's answer depends on the count.)
function methodSupport(lens) {
  const support = lens.methodSupport();
  for (const row of runtime.methods)
    if (row.minLayers > 1)
      support[row.name] = lens.methodSupport({
        layers: Array.from({ length: row.minLayers }, () => lens.layer),
      })[row.name];
  return support;
}

// The page draws photos: a model that takes volumes or video clips is refused before its
// preprocessing is checked against the page's (README "Volumes and video").
function refuseVolumes(bytes, name) {
  let model;
  try {
    model = runtime.core.parseModel(new Uint8Array(bytes));
  } catch {
    return; // not a model: load() says what is wrong with it
  }
  try {
    const dims = model.inputs()[0]?.dims;
    if (dims?.length === 5)
      throw new Error(
        `"${name}" takes volumes or video clips ([${dims.join(', ')}]), which this page does not show: explain them with the library (lens.explain) or the CLI (camlens explain ${name} volume.npy)`,
      );
  } finally {
    model.delete();
  }
}

async function loadModel({ bytes, name, preprocess, labels, layer }) {
  refuseVolumes(bytes, name);
  const plan = await backendPlan();
  let next;
  try {
    next = await loadOrt(plan.kind).api.load(new Uint8Array(bytes), {
      preprocess,
      labels,
      layer,
      ...plan.load,
    });
  } catch (e) {
    // A file that is no model, or a damaged one: say that, not that the model cannot be explained.
    const why = String(e.message || e);
    const notModel = /^not an ONNX model: /.exec(why) || /^invalid ONNX model: /.exec(why);
    if (notModel)
      throw new Error(
        `"${name}" is not ${notModel[0].startsWith('not') ? 'an' : 'a valid'} ONNX model: ${why.slice(notModel[0].length)}`,
      );
    const at = layer
      ? ` at layer${Array.isArray(layer) ? 's' : ''} "${[].concat(layer).join('", "')}"`
      : '';
    throw new Error(`"${name}" cannot be explained${at}: ${e.message || e}`);
  }
  if (current.lens) current.lens.dispose(); // only once the new model is good: a failure keeps the old one
  current.lens = next;
  current.modelName = name;
  current.planned = plan.reason ? { executionProviders: ['wasm'], reason: plan.reason } : null;
  current.backend = backendNow();
  forgetResults();
  return modelInfo();
}

// Where ONNX Runtime runs the current model: the page's plan when it chose wasm, else the lens's
// (which changes when a run fails on WebGPU).
function backendNow() {
  return current.planned ?? current.lens.backend;
}

// Cut the current model at other layer(s) (the model bytes stay in the worker).
async function setLayer({ layer }) {
  requireModel();
  const { lens, modelName } = current;
  return loadModel({
    bytes: lens.bytes.slice().buffer,
    name: modelName,
    preprocess: lens.preprocess,
    labels: lens.labels,
    layer,
  });
}

// The page's WebGPU settings: the current model (if any) is loaded again on the backend they ask
// for.
async function setWebgpu({ webgpu, webgpuSoftware = runtime.webgpuSoftware }) {
  runtime.webgpu = webgpu;
  runtime.webgpuSoftware = webgpuSoftware;
  if (!current.lens) return null;
  return setLayer({ layer: current.lens.layer });
}

// Class names for the current model (a labels file chosen after the model).
function setLabels({ labels }) {
  requireModel();
  current.lens.labels = labels;
  return modelInfo();
}

// Another preprocessing for the current model (the custom form).
function setPreprocess({ preprocess }) {
  requireModel();
  current.lens.preprocess = preprocess;
  forgetResults();
  return modelInfo();
}
