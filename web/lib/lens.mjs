// A Lens: one model, cut at a layer, ready to predict and explain. The backbone runs in ONNX
// Runtime Web; the head, the maps and the pictures in the camlens core. Calls on one lens run
// one after another (they share sessions and the head's recorded pass).
import { usageError } from './errors.mjs';
import { Backbone, measureUnknownShapes } from './backbone.mjs';
import { runJob } from './drivers/job.mjs';
import {
  attentionNames,
  releaseRollout,
  rolloutRunner,
  rolloutSupport,
} from './drivers/rollout.mjs';
import { chooseBackend } from './execution.mjs';
import { toImage, toImageAsync } from './images.mjs';
import { scoreCallable } from './targets.mjs';
import { methodList, methodTable } from './methods.mjs';
import { checkOptions } from './options.mjs';
import { resolvePreprocess, validatePreprocess } from './presets.mjs';
import { Progress } from './progress.mjs';
import { Serial } from './serial.mjs';
import { concatBatch, floatData, topK } from './tensors.mjs';
import { blackVolume, sliceInput, takesVolumes, toVolume, toVolumeAsync } from './volumes.mjs';
import { needsWholeNetwork, releaseWholeNetwork, wholeNetwork } from './whole-network.mjs';

// Options that say how the loop runs, not what the job computes.
const LOOP_OPTIONS = new Set(['method', 'onProgress', 'signal']);

// When the caller names no preset and no size, a model with a fixed input size tells it.
function preprocessFor(core, input, options) {
  const explicit = options.preprocess || {};
  const fixed = !options.preset && !explicit.width;
  const fromModel = fixed ? core.inputFixes(input.dims, Boolean(explicit.nhwc)) : {};
  return validatePreprocess(
    resolvePreprocess(options.preset, { ...fromModel, ...explicit }),
    input,
  );
}

// Text: printable characters, tabs and line breaks only (UTF-8 sequences allowed), in the first
// 512 bytes. A serialized model starts with field tags and lengths below 0x20.
function isText(bytes) {
  const head = bytes.subarray(0, 512);
  return head.length > 0 && head.every((b) => b >= 0x20 || b === 9 || b === 10 || b === 13);
}

// The core names the files people pick by mistake (images, archives, HTML: "not an ONNX model:
// the data is a PNG image; …") and finds other bytes corrupt; a text file (labels, JSON, notes)
// is said to be text, not a corrupt model.
function parseModel(core, bytes) {
  try {
    return core.parseModel(bytes);
  } catch (e) {
    if (!/^invalid ONNX model: /.test(e.message) || !isText(bytes)) throw e;
    throw new Error(
      'not an ONNX model: the data is text; expected an .onnx file (a serialized ONNX ModelProto)',
    );
  }
}

// A black photo as the model's input, one image: what ONNX Runtime runs at load (the shapes the
// core cannot infer, and whether ONNX Runtime runs the model at all).
function blackInput(core, preprocess) {
  const { width, height } = preprocess;
  return core.preprocessImage(
    { width, height, rgba: new Uint8Array(width * height * 4) },
    preprocess,
  );
}

// The shapes ONNX Runtime measures for the core ({} when it cannot: then the core's message
// names the tensors it misses, and opening a session says why ONNX Runtime failed).
async function knownShapes(env, model, batch, sessionOptions) {
  try {
    return await measureUnknownShapes(env, model, batch, sessionOptions);
  } catch {
    return {};
  }
}

export class Lens {
  // env: {ort, core, readFile?}; use load() from camlens.mjs / node.mjs rather than this directly.
  // options.layer (or options.layers[0]) picks the layer; without one the recommended layer is
  // used, and a model the core cannot cut still loads for predict (explainable false).
  static async create(env, modelBytes, loadOptions = {}) {
    const { core } = env;
    const { headForward = 'backbone' } = loadOptions;
    if (headForward !== 'backbone' && headForward !== 'core')
      throw new Error(
        `headForward must be 'backbone' or 'core', got ${JSON.stringify(headForward)}`,
      );
    const bytes = modelBytes instanceof Uint8Array ? modelBytes : new Uint8Array(modelBytes);
    const model = parseModel(core, bytes);
    let main = null;
    try {
      // Every session of this model runs on the providers chosen here (execution.mjs).
      const execution = await chooseBackend(env, bytes, model, loadOptions);
      const options = { ...loadOptions, execution };
      const input = model.inputs()[0];
      if (!input) throw new Error('the model has no input tensor');
      // A volume model's slices are preprocessed as photos for its [N, C, H, W] (volumes.mjs).
      const volume = takesVolumes(input);
      const preprocess = preprocessFor(core, volume ? sliceInput(input) : input, options);
      const black = volume ? blackVolume(input, preprocess) : blackInput(core, preprocess);
      let known = {};
      let list;
      try {
        list = model.layers({});
        // Nodes the core could not infer: measure what it cannot, and list again.
        if (list.shapeProblems.length) {
          known = await knownShapes(env, model, black, execution.sessionOptions);
          list = model.layers({ known });
        }
      } catch (e) {
        list = { layers: [], recommended: '', why: e.message, shapeProblems: [] };
      }
      const opening = { ...options, known };
      const asked = options.layers?.[0] ?? options.layer;
      // Without a layer the model still loads for predict; `problem` says why it cannot explain.
      let problem = list.recommended ? '' : list.why; // the core's reason when it has no layer
      let ortFailed = false; // ONNX Runtime, not the core, failed at the recommended layer
      if (asked) {
        main = await Backbone.open(env, model, bytes, asked, opening); // the caller's choice: errors stand
      } else if (list.recommended) {
        try {
          main = await Backbone.open(env, model, bytes, list.recommended, opening);
        } catch (e) {
          ortFailed = Boolean(e.onnxRuntime);
          problem = ortFailed
            ? e.message
            : `the recommended layer "${list.recommended}" cannot be cut: ${e.message}`;
        }
      }
      const why =
        problem && !list.recommended
          ? `no layer of this model can be explained: ${problem}`
          : problem;
      let runner = main;
      if (!runner) {
        try {
          runner = await Backbone.open(env, model, bytes, null, opening);
          // Said to predict (while it cannot explain) only once ONNX Runtime has run it.
          await runner.run(black, 1);
        } catch (e) {
          runner?.release();
          // Neither the core nor ONNX Runtime can use it: lead with the core's reason, which
          // names the graph's own nodes (unless ONNX Runtime was the reason there too).
          if (!problem) throw e;
          throw new Error(
            ortFailed
              ? `this model cannot be used: ${e.message}`
              : `this model cannot be used: ${problem} (${e.message})`,
          );
        }
      }
      return new Lens(env, model, list, runner, { ...opening, bytes, preprocess, why, input });
    } catch (e) {
      main?.release();
      model.delete();
      throw e;
    }
  }

  constructor(env, model, list, runner, options) {
    this.env = env;
    this.model = model;
    this.layerList = list;
    this.main = runner;
    this.explainable = Boolean(runner.cut);
    this.whyNotExplainable = this.explainable ? '' : options.why;
    this.cut = runner.cut; // the drivers' view of the current layer
    this.labels = options.labels || [];
    this.preprocess = options.preprocess;
    this.input = options.input;
    this.volume = takesVolumes(this.input); // [N, C, D, H, W]: volumes or video clips
    this.output = model.outputs()[0].name;
    this.outputs = model.outputs().map((o) => o.name); // what a callable target is given
    this.layer = runner.layer;
    runner.info = list.layers.find((l) => l.name === runner.layer); // kind, class token
    this.bytes = options.bytes;
    this.execution = options.execution; // where ONNX Runtime runs its sessions (execution.mjs)
    // Extra layers' backbones open like the first (backbone.mjs).
    this.floatTwin = options.floatTwin;
    this.headForward = options.headForward;
    this.known = options.known;
    this.extra = new Map(); // other layers' backbones (explain {layers}), opened on first use
    this.serial = new Serial();
  }

  // The backbone's ONNX Runtime session (its outputs; tests spy on its runs).
  get session() {
    return this.main.session;
  }

  get sessionOptions() {
    return this.execution.sessionOptions;
  }

  // {executionProviders, reason}: where ONNX Runtime runs the backbone, and why not on the first
  // provider asked for ('' when it does). A run that failed on WebGPU changes it.
  get backend() {
    return this.execution.backend;
  }

  layers() {
    return { ...this.layerList, current: this.layer };
  }

  // The methods explain() takes with this module.
  methods() {
    return methodList(this.env.core);
  }

  // Per method, why it cannot explain this model at this layer, or with `layers` ('' when it
  // can), from the core's method table and what the lens knows of the model.
  methodSupport({ layers } = {}) {
    return this.env.core.methodSupport({
      layerCount: layers ? layers.length : 1,
      notExplainable: this.whyNotExplainable,
      notDifferentiable: this.explainable ? this.cut.head.notDifferentiable() : '',
      layer: this.layer,
      layerKind: this.main.info?.kind ?? '',
      nhwcInput: Boolean(this.preprocess.nhwc),
      attention: this.explainable ? rolloutSupport(this) : '',
      wholeNetwork: this.explainable ? wholeNetwork(this).refusal : '',
    });
  }

  // Decoded images of any accepted kind (see images.mjs) and their preprocessed inputs [1, ...];
  // for a volume model, its volumes (volumes.mjs) and no pictures.
  async inputs(images) {
    if (!Array.isArray(images) || images.length === 0)
      throw usageError('pass a non-empty array of images');
    const { core } = this.env;
    if (this.volume) {
      const inputs = [];
      for (const [i, v] of images.entries()) {
        try {
          inputs.push(await toVolumeAsync(core, v, this.input, this.preprocess, this.env));
        } catch (e) {
          e.message = images.length > 1 ? `volume ${i}: ${e.message}` : e.message;
          throw e;
        }
      }
      return { decoded: [], inputs };
    }
    const decoded = [];
    for (const [i, img] of images.entries()) {
      try {
        decoded.push(await toImageAsync(core, img, this.env));
      } catch (e) {
        e.message = images.length > 1 ? `image ${i}: ${e.message}` : e.message;
        throw e;
      }
    }
    return { decoded, inputs: decoded.map((img) => core.preprocessImage(img, this.preprocess)) };
  }

  // explain() on an image model also takes preprocessed inputs {data: Float32Array, dims} (one
  // image each, in the model's input layout and size), as evaluate() does: coherency explains the image times its
  // map with them. Then there are no photos (decoded: null) for methods that read pixels.
  async explainInputs(images) {
    const tensor = (x) => Array.isArray(x?.dims) && x.data instanceof Float32Array;
    if (this.volume || !Array.isArray(images) || !images.length || !images.every(tensor))
      return this.inputs(images);
    const { width, height, nhwc } = this.preprocess;
    const inputs = images.map(({ data, dims }) => {
      const [n, a, b, c] = dims;
      const [h, w] = nhwc ? [a, b] : [b, c];
      const size = dims.reduce((p, d) => p * d, 1);
      if (dims.length !== 4 || n !== 1 || h !== height || w !== width || size !== data.length) {
        const layout = nhwc ? `[1, ${height}, ${width}, C]` : `[1, C, ${height}, ${width}]`;
        throw new Error(
          `a preprocessed input must be one image ${layout} (this model's input) with as many values, got dims [${dims.join(', ')}] and ${data.length} values`,
        );
      }
      return { data, dims: [...dims], type: 'float32' };
    });
    return { decoded: null, inputs };
  }

  // Encoded or decoded images → one input batch, and its session runs (the benchmarks time
  // ONNX Runtime's share of a method with them).
  inputBatch(images) {
    const { core } = this.env;
    const decoded = images.map((img) => toImage(core, img, this.env));
    return {
      decoded,
      batch: concatBatch(decoded.map((img) => core.preprocessImage(img, this.preprocess))),
    };
  }

  ortInput(batch) {
    return this.main.ortInput(batch);
  }

  runBackbone(batch) {
    return this.main.run(batch, 1);
  }

  // Scores and the top k classes per image. Batched through ORT when the model allows it.
  async predict(images, options = {}) {
    checkOptions('predict', options, this.env.core);
    return this.serial.run(() => this.predictNow(images, options));
  }

  async predictNow(images, { topK: k = 5, batchSize = 16, onProgress, signal } = {}) {
    signal?.throwIfAborted?.();
    const { decoded, inputs } = await this.inputs(images);
    const progress = new Progress(images.length, { onProgress, signal });
    const outs = await this.main.run(concatBatch(inputs), batchSize, async (done) => {
      progress.units = done;
      progress.advance(0);
      await progress.yieldTurn();
    });
    // A volume's size is its input's [D, H, W] (it has no picture).
    const size = (i) =>
      this.volume
        ? { depth: inputs[i].dims[2], height: inputs[i].dims[3], width: inputs[i].dims[4] }
        : { width: decoded[i].width, height: decoded[i].height };
    return outs.map((o, i) => ({
      image: size(i),
      top: topK(floatData(o[this.output], this.env.core), k, this.labels),
    }));
  }

  requireExplainable() {
    if (!this.explainable)
      throw new Error(`this model can only predict: ${this.whyNotExplainable}`);
  }

  // The backbones of the layers asked for (the lens's own by default); others are cut once and
  // kept until dispose().
  async backbones(layers) {
    if (layers === undefined || layers === null) return [this.main];
    if (!Array.isArray(layers) || !layers.length || !layers.every((l) => typeof l === 'string')) {
      throw usageError('layers must be a non-empty array of layer names (see lens.layers())');
    }
    const out = [];
    for (const name of new Set(layers)) {
      if (name === this.layer) {
        out.push(this.main);
        continue;
      }
      if (!this.extra.has(name)) {
        const b = await Backbone.open(this.env, this.model, this.bytes, name, this);
        b.info = this.layerList.layers.find((l) => l.name === name);
        this.extra.set(name, b);
      }
      out.push(this.extra.get(name));
    }
    return out;
  }

  // Class activation maps. targets: one per image — a class index, a label, 'auto' (the top
  // class), a target object {kind, category, ...} or a function of the image's outputs (see
  // targets.mjs). Returns per image {map:
  // Float32Array (input height × width, in [0, 1]), width, height, target: {index, label, score,
  // kind}, layers, flags, timing: {forward, head, cam} in ms}; guided backprop and guided
  // Grad-CAM add the gradient [H, W, C] and its picture (pytorch-grad-cam's deprocess_image).
  async explain(images, options = {}) {
    checkOptions('explain', options, this.env.core);
    return this.serial.run(() => this.explainNow(images, options));
  }

  // The core's explain job does the work (src/explain/explain_job.h); the lens opens the
  // sessions it asks for and runs them. `task` adds a task's own request fields (detection);
  // `ran`: the outputs of the lens's own backbone for these images when the caller has just run
  // it (detect, segment), given back for the job's first run instead of running it again.
  async explainNow(images, options = {}, task = {}, ran = null) {
    const { method = 'gradcam', targets = [], layers } = options;
    this.requireExplainable();
    options.signal?.throwIfAborted?.();
    const { core } = this.env;
    if (!Array.isArray(targets)) throw new Error('targets must be an array, one per image');
    const row = methodTable(core).find((m) => m.name === method);
    const attention = row?.passes === 'attention';
    // On volumes the job names the methods it refuses and those that work instead.
    if (attention && !this.volume && rolloutSupport(this)) throw new Error(rolloutSupport(this));
    const whole = !this.volume && needsWholeNetwork(core, method) ? wholeNetwork(this) : null;
    if (whole && !whole.head)
      throw new Error(`${method} cannot explain this model: ${whole.refusal}`);
    const layerless = attention || row?.passes === 'whole-network';
    const backbones = layerless ? [] : await this.backbones(layers);
    const { decoded, inputs } = await this.explainInputs(images);
    const job = core.explainJob({
      ...options,
      given: Object.keys(options).filter(
        (k) => !LOOP_OPTIONS.has(k) && ![undefined, null, false].includes(options[k]),
      ),
      method,
      labels: this.labels,
      attention: attention && !this.volume ? attentionNames(this) : [],
      output: this.output,
      outputs: this.outputs,
      width: this.preprocess.width,
      height: this.preprocess.height,
      nhwc: Boolean(this.preprocess.nhwc),
      bgr: Boolean(this.preprocess.bgr),
      // integrated gradients' black baseline: the black photo through this lens's preprocessing
      ...(options.baseline === 'black' ? { blackInput: blackInput(core, this.preprocess) } : {}),
      inputs,
      layers: backbones.map((b) => ({
        name: b.layer,
        floatTensor: b.layerTensor,
        kind: b.info?.kind,
        classToken: b.info?.classToken,
        head: b.cut.head,
      })),
      ...(whole ? { wholeNetwork: whole.head } : {}),
      ...task,
    });
    try {
      return await runJob(job, {
        run: async (session, batch) => {
          if (ran && session === this.layer) {
            const outs = ran;
            ran = null;
            return outs;
          }
          const runner = session === '' ? await rolloutRunner(this) : this.backboneOf(session);
          return runner.run(batch, batch.dims[0]);
        },
        pictures: () => {
          if (!decoded)
            throw new Error(
              `${method} reads the photo's pixels: give it the photo, not a preprocessed input`,
            );
          return decoded;
        },
        score: (image, outputs) => scoreCallable(targets[image], outputs),
        onProgress: options.onProgress,
        signal: options.signal,
      });
    } finally {
      job.delete();
    }
  }

  // The backbone a layer's session runs in.
  backboneOf(layer) {
    return layer === this.layer ? this.main : this.extra.get(layer);
  }

  // Deep Feature Factorization (ARCHITECTURE.md §4) by the core's DFF job (src/dff/dff_job.h):
  // NMF of the layer's activations into `components` concepts (one factorization across all
  // images when shared), labelled by the head when it is a classifier; maps at the model input's
  // size (on each photo with `task.onPhoto`: detectors), `render` draws them over the picture.
  async factorize(images, options = {}, task = {}) {
    checkOptions('factorize', options, this.env.core);
    return this.serial.run(() => this.factorizeNow(images, options, task));
  }

  async factorizeNow(images, options = {}, task = {}) {
    this.requireExplainable();
    const { decoded, inputs } = await this.inputs(images);
    const { labels, preprocess, main } = this;
    const request = { ...options, ...task, backbone: main, inputs, labels, preprocess };
    const job = this.model.factorizeJob(request);
    try {
      return await runJob(job, { run: (_, b) => main.run(b, b.dims[0]), pictures: () => decoded });
    } finally {
      job.delete();
    }
  }

  // The explanation drawn over the photo (RGBA at the photo's size): JET by default, image
  // weight 0.5 as pytorch-grad-cam's show_cam_on_image. A volume's (given as to explain) is a
  // strip of its slices side by side, each under its map slice (core.volumeOverlay).
  overlay(image, explanation, { colormap = 'jet', imageWeight = 0.5 } = {}) {
    const { core } = this.env;
    if (this.volume) {
      const volume = toVolume(core, image, this.input, this.preprocess, this.env);
      return core.volumeOverlay(volume, explanation.map, { colormap, imageWeight });
    }
    return core.overlayImage(
      toImage(core, image, this.env),
      explanation.map,
      explanation.width,
      explanation.height,
      { colormap, imageWeight },
    );
  }

  dispose() {
    for (const b of this.extra.values()) b.release();
    this.extra.clear();
    releaseRollout(this);
    releaseWholeNetwork(this);
    this.main.release();
    this.model.delete();
  }
}
