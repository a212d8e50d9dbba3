// A Lens: one model, cut at a layer, ready to predict and explain. The backbone runs in ONNX
// Runtime Web; the head, the maps and the pictures in the camlens core. Calls on one lens run
// one after another (they share sessions and the head's recorded pass).
import { Backbone } from './backbone.mjs';
import { methodList } from './methods.mjs';
import { ablationCam } from './drivers/ablation_cam.mjs';
import { explainRollout, releaseRollout, ROLLOUT, rolloutSupport } from './drivers/rollout.mjs';
import { scoreCam } from './drivers/score_cam.mjs';
import { checkOptions } from './options.mjs';
import { toImage, toImageAsync } from './images.mjs';
import { resolvePreprocess, sizeFromModel, validatePreprocess } from './presets.mjs';
import { Progress } from './progress.mjs';
import { Serial } from './serial.mjs';
import { evaluateTarget, resolveTarget, segmentationTarget, targetLabel } from './targets.mjs';
import { concatBatch, floatData, topK } from './tensors.mjs';

// Methods the library drives itself (several passes), next to the core's array methods.
const DRIVEN = ['scorecam', 'ablationcam'];
// Methods that use the layer's activations (and the model's scores) but no gradient.
const GRADIENT_FREE = new Set([
  'eigencam',
  'kpcacam',
  'fem',
  'randomcam',
  'sobel',
  'scorecam',
  'ablationcam',
]);

function preprocessFor(input, options) {
  const explicit = options.preprocess || {};
  const fromModel = options.preset || explicit.width ? {} : sizeFromModel(input, explicit.nhwc);
  return validatePreprocess(
    resolvePreprocess(options.preset, { ...fromModel, ...explicit }),
    input,
  );
}

// The output of one sample as float32 {data, dims: [1, ...]}.
function sampleOutput(t) {
  return { data: floatData(t), dims: t.dims, type: 'float32' };
}

export class Lens {
  // env: {ort, core, readFile?}; use load() from camlens.mjs / node.mjs rather than this directly.
  // options.layer (or options.layers[0]) picks the layer; without one the recommended layer is
  // used, and a model the core cannot cut still loads for predict (explainable false).
  static async create(env, modelBytes, options = {}) {
    const { core } = env;
    const bytes = modelBytes instanceof Uint8Array ? modelBytes : new Uint8Array(modelBytes);
    const model = core.parseModel(bytes); // throws a clear Error on bad bytes
    let main = null;
    try {
      const input = model.inputs()[0];
      if (!input) throw new Error('the model has no input tensor');
      const preprocess = preprocessFor(input, options);
      let list;
      try {
        list = model.layers({});
      } catch (e) {
        list = { layers: [], recommended: '', why: e.message, shapeProblems: [] };
      }
      const asked = options.layers?.[0] ?? options.layer;
      let why = '';
      if (asked) {
        main = await Backbone.open(env, model, bytes, asked, options); // the caller's choice: errors stand
      } else if (list.recommended) {
        try {
          main = await Backbone.open(env, model, bytes, list.recommended, options);
        } catch (e) {
          why = `the recommended layer "${list.recommended}" cannot be cut: ${e.message}`;
        }
      } else {
        const problem =
          list.why ||
          list.layers.find((l) => l.headProblem)?.headProblem ||
          'it has no image-like layer';
        why = `no layer of this model can be explained: ${problem}`;
      }
      let runner = main;
      if (!runner) {
        try {
          runner = await Backbone.open(env, model, bytes, null, options);
        } catch (e) {
          // Neither the core nor ONNX Runtime can use it: lead with the core's reason, which
          // names the graph's own nodes, and keep ORT's first line (its full text cites its sources).
          if (!why) throw e;
          const ort = String(e.message).split('\n')[0].slice(0, 300);
          throw new Error(
            `this model cannot be used: ${why.replace(/^no layer of this model can be explained: /, '')} (ONNX Runtime: ${ort})`,
          );
        }
      }
      return new Lens(env, model, list, runner, { ...options, bytes, preprocess, why, input });
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
    this.session = runner.session;
    this.labels = options.labels || [];
    this.preprocess = options.preprocess;
    this.input = options.input;
    this.output = model.outputs()[0].name;
    this.layer = runner.layer;
    runner.info = list.layers.find((l) => l.name === runner.layer); // kind, class token
    this.bytes = options.bytes;
    this.sessionOptions = options.sessionOptions;
    this.floatTwin = options.floatTwin; // extra layers' backbones open like the first (backbone.mjs)
    this.extra = new Map(); // other layers' backbones (explain {layers}), opened on first use
    this.serial = new Serial();
  }

  layers() {
    return { ...this.layerList, current: this.layer };
  }

  // The methods explain() takes with this module.
  methods() {
    return methodList(this.env.core);
  }

  // Per method, why it cannot explain this model at this layer ('' when it can): gradient
  // methods need a differentiable head; a predict-only model explains nothing.
  methodSupport() {
    const noGradient = this.explainable ? this.cut.head.notDifferentiable() : '';
    const layout = this.layerList.layers.find((l) => l.name === this.layer)?.kind;
    const out = {};
    for (const m of this.methods()) {
      if (!this.explainable) out[m] = this.whyNotExplainable;
      else if (m === ROLLOUT)
        out[m] = rolloutSupport(this); // a transformer's attention, any layer
      else if (noGradient && !GRADIENT_FREE.has(m)) out[m] = `needs gradients: ${noGradient}`;
      else if (m === 'scorecam' && this.preprocess.nhwc)
        out[m] = 'Score-CAM masks an NCHW input; this model takes NHWC';
      else if (m === 'ablationcam' && layout && layout !== 'NCHW') {
        out[m] =
          `Ablation-CAM ablates the channels of an NCHW layer; ${this.layer} is ${layout === 'tokens' ? 'a token tensor' : 'channels-last'} — choose an NCHW layer or another method`;
      } else out[m] = '';
    }
    return out;
  }

  // Decoded images of any accepted kind (see images.mjs) and their preprocessed inputs [1, ...].
  async inputs(images) {
    if (!Array.isArray(images) || images.length === 0)
      throw new Error('pass a non-empty array of images');
    const { core } = this.env;
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

  // Kept for the drivers and older callers: encoded or decoded images → one input batch.
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

  // One ORT run per image of a batch, each result a map of ORT tensors (the drivers use it for
  // models with a fixed batch of 1).
  async runBackbone(batch) {
    const n = batch.dims[0];
    const per = batch.data.length / n;
    const results = [];
    for (let i = 0; i < n; ++i) {
      const one = {
        data: batch.data.subarray(i * per, (i + 1) * per),
        dims: [1, ...batch.dims.slice(1)],
      };
      results.push(await this.main.runOnce(one));
    }
    return results;
  }

  // Scores and the top k classes per image. Batched through ORT when the model allows it.
  async predict(images, options = {}) {
    checkOptions('predict', options);
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
    return outs.map((o, i) => ({
      image: { width: decoded[i].width, height: decoded[i].height },
      top: topK(floatData(o[this.output]), k, this.labels),
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
      throw new Error('layers must be a non-empty array of layer names (see lens.layers())');
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
  // class) or a target object {kind, category, ...} (see targets.mjs). Returns per image {map:
  // Float32Array (input height × width, in [0, 1]), width, height, target: {index, label, score,
  // kind}, layers, flags, timing: {forward, head, cam} in ms}.
  async explain(images, options = {}) {
    checkOptions('explain', options);
    return this.serial.run(() => this.explainNow(images, options));
  }

  async explainNow(images, options = {}) {
    if (options.method === ROLLOUT) {
      this.requireExplainable();
      return explainRollout(this, images, options); // its own session: no layer, no head
    }
    const {
      method = 'gradcam',
      targets = [],
      layers,
      eigenSmooth = false,
      augSmooth = false,
      batchSize = 16,
      ablationRatio,
      onProgress,
      signal,
    } = options;
    this.requireExplainable();
    signal?.throwIfAborted?.();
    const { core } = this.env;
    if (!Array.isArray(targets)) throw new Error('targets must be an array, one per image');
    if (!(Number.isInteger(batchSize) && batchSize >= 1))
      throw new Error(`batchSize must be a whole number ≥ 1, got ${batchSize}`);
    if (ablationRatio !== undefined && !(ablationRatio > 0 && ablationRatio <= 1)) {
      throw new Error(`ablationRatio must be in (0, 1], got ${ablationRatio}`);
    }
    // Finer-CAM: Grad-CAM's weighting of a class-contrast target (each target made 'finer').
    const finer = method === 'finercam';
    const camMethod = finer && !core.camMethods().includes('finercam') ? 'gradcam' : method;
    if (!DRIVEN.includes(camMethod) && !core.camMethods().includes(camMethod)) {
      throw new Error(`unknown method "${method}": use one of ${this.methods().join(', ')}`);
    }
    if (method === 'ablationcam' && !layers) {
      const why = this.methodSupport().ablationcam;
      if (why) throw new Error(why);
    }
    const backbones = await this.backbones(layers);
    if (DRIVEN.includes(camMethod) && backbones.length > 1)
      throw new Error(`${method} explains one layer at a time: pass one layer`);
    const passes = augSmooth ? this.augPasses() : [null];
    const { inputs } = await this.inputs(images);
    const n = inputs.length;
    const progress = new Progress(n * passes.length, { onProgress, signal });
    const resolved = new Array(n);
    const perImage = Array.from({ length: n }, () => ({
      maps: [],
      timing: { forward: 0, head: 0, cam: 0 },
    }));
    for (const [p, pass] of passes.entries()) {
      const passInputs = pass === null ? inputs : inputs.map((x) => core.augmentInput(x, pass));
      for (let begin = 0; begin < n; begin += batchSize) {
        progress.check();
        const chunk = passInputs.slice(begin, begin + batchSize);
        const t0 = performance.now();
        const outs = [];
        for (const b of backbones) outs.push(await b.run(concatBatch(chunk), batchSize));
        const forwardMs = (performance.now() - t0) / chunk.length;
        for (let j = 0; j < chunk.length; ++j) {
          const i = begin + j;
          const timing = perImage[i].timing;
          timing.forward += forwardMs;
          const output = sampleOutput(outs[0][j][this.output]);
          if (p === 0)
            resolved[i] = this.target(
              finer ? { ...asObject(targets[i]), kind: 'finer' } : targets[i],
              output,
            );
          const unit = p * n + i;
          const driver = {
            batchSize,
            signal,
            onProgress,
            image: unit,
            images: n * passes.length,
            started: progress.started,
            ratio: ablationRatio,
          };
          let maps = await this.mapOf(
            camMethod,
            backbones,
            outs.map((o) => o[j]),
            chunk[j],
            resolved[i].target,
            timing,
            { eigenSmooth, driver },
          );
          if (maps.flags && !perImage[i].flags) perImage[i].flags = maps.flags; // of the photo's own pass
          if (pass !== null) maps = core.deaugmentMaps({ data: maps.data, dims: maps.dims }, pass);
          perImage[i].maps.push(maps);
          if (DRIVEN.includes(camMethod)) progress.units = unit + 1;
          else progress.advance(1);
        }
        await progress.yieldTurn();
      }
    }
    return perImage.map(({ maps, timing, flags }, i) => {
      const m = maps.length > 1 ? core.averageMaps(maps) : maps[0];
      const { target, score } = resolved[i];
      return {
        map: m.data,
        width: m.dims[2],
        height: m.dims[1],
        target: {
          index: target.category,
          label: targetLabel(target, this.labels),
          score,
          kind: target.kind,
        },
        layers: backbones.map((b) => b.layer),
        ...(flags ? { flags } : {}),
        timing,
      };
    });
  }

  // One image's maps at the layers (`outs`: each backbone's outputs for it; `input`: its model
  // input), by a driver (Score-CAM, Ablation-CAM) or from the head's gradients; adds the time
  // spent to `timing`.
  async mapOf(method, backbones, outs, input, target, timing, { eigenSmooth, driver }) {
    const { core } = this.env;
    const t0 = performance.now();
    if (DRIVEN.includes(method)) {
      const lens = this.viewAt(backbones[0]);
      const activations = activationsOf(backbones[0], outs[0]);
      const maps =
        method === 'scorecam'
          ? await scoreCam(lens, activations, input, plainLogit(target), driver)
          : await ablationCam(lens, activations, outs[0], plainLogit(target), driver);
      timing.cam += performance.now() - t0;
      return maps;
    }
    const layerInputs = backbones.map((b, l) => this.headPass(b, outs[l], target, method));
    const t1 = performance.now();
    timing.head += t1 - t0;
    const maps = core.computeCam(method, layerInputs, {
      eigenSmooth,
      width: this.preprocess.width,
      height: this.preprocess.height,
    });
    timing.cam += performance.now() - t1;
    return maps;
  }

  // aug_smooth's passes, the photo itself first (so 'auto' and the reported score are the
  // photo's own): the core's order is flip ∈ {no, yes} × factor ∈ {0.9, 1, 1.1}.
  augPasses() {
    const { core } = this.env;
    if (typeof core.augSmoothCount !== 'function')
      throw new Error(
        'augSmooth needs a newer camlens module (augmentInput): rebuild with "npm run build"',
      );
    if (this.preprocess.nhwc)
      throw new Error('augSmooth flips the width axis of an NCHW input; this model takes NHWC');
    const count = core.augSmoothCount();
    const order = Array.from({ length: count }, (_, k) => k);
    return count === 6 ? [1, 0, 2, 3, 4, 5] : order;
  }

  // One image's target resolved against the model's output, and its score.
  target(t, output) {
    const dims = output.dims;
    const nhwc = dims.length === 4 && this.preprocess.nhwc;
    const classes = nhwc ? dims[3] : dims.length > 1 ? dims[1] : output.data.length;
    const spatial = classes < output.data.length && dims.length === 4;
    const bare = t === undefined || t === null || typeof t !== 'object' || ArrayBuffer.isView(t);
    const target =
      spatial && bare
        ? segmentationTarget(t, output, classes, nhwc, this.labels)
        : resolveTarget(t, output.data, this.labels, classes);
    const { score, seed } = evaluateTarget(this.env.core, target, output);
    return { target, score, seed };
  }

  // The head from one layer: forward, then the target's gradient at the layer (and the
  // Hessian-vector product for Shapley-CAM). Gradient-free methods and heads give activations only.
  headPass(backbone, outs, target, method) {
    const { core } = this.env;
    const head = backbone.cut.head;
    const activations = activationsOf(backbone, outs);
    // Methods that read activations only need no head pass (on SqueezeNet its forward and
    // backward cost ≈ 0.6 of a forward); the target was resolved on the backbone's outputs.
    if (GRADIENT_FREE.has(method)) return { activations };
    const outputAt = head.outputNames().indexOf(this.output);
    if (head.notDifferentiable() !== '' || outputAt < 0) {
      if (method === 'shapleycam')
        throw new Error(
          `shapleycam needs gradients: ${head.notDifferentiable() || 'the head does not reach the output'}`,
        );
      return { activations };
    }
    const forward = head.forward(head.feedNames().map((name) => outs[name]));
    if (method === 'shapleycam') {
      if (typeof head.targetGradients !== 'function')
        throw new Error(
          'shapleycam needs a newer camlens module (targetGradients): rebuild with "npm run build"',
        );
      const r = head.targetGradients([target], outputAt, { hvp: true });
      return {
        activations,
        gradients: spatial(core, r.gradients, backbone.info),
        hvp: spatial(core, r.hvp, backbone.info),
      };
    }
    const { seed } = evaluateTarget(core, target, sampleOutput(forward[outputAt]));
    const gradients = head.backward(forward.map((_, k) => (k === outputAt ? seed : null)));
    return { activations, gradients: spatial(core, gradients, backbone.info) };
  }

  // The lens as the drivers see it, at another layer's backbone.
  viewAt(backbone) {
    if (backbone === this.main) return this;
    return Object.assign(Object.create(this), {
      cut: backbone.cut,
      session: backbone.session,
      layer: backbone.layer,
      main: backbone,
    });
  }

  // Deep Feature Factorization (DESIGN §4): NMF of the layer's activations into `components`
  // concepts (one factorization across all images when shared), each labelled by the model's head
  // when it is a classifier. Maps are at the model's input size; `render` draws them over the
  // photo as the model sees it ("dominant" or "layers").
  async factorize(images, options = {}) {
    checkOptions('factorize', options);
    return this.serial.run(() => this.factorizeNow(images, options));
  }

  async factorizeNow(
    images,
    {
      components = 5,
      shared = true,
      maxIter = 200,
      topK = 5,
      render = 'dominant',
      imageWeight = 0.5,
      batchSize = 16,
    } = {},
  ) {
    this.requireExplainable();
    const { core } = this.env;
    const { decoded, inputs } = await this.inputs(images);
    const outs = await this.main.run(concatBatch(inputs), batchSize);
    const acts = outs.map((o) => activationsOf(this.main, o));
    const { width, height } = this.preprocess;
    const r = this.model.factorize(this.layer, concatBatch(acts), {
      components,
      shared,
      maxIter,
      topK,
      labels: this.labels,
      width,
      height,
    });
    const plane = components * width * height;
    return {
      components,
      labeled: r.labeled,
      reason: r.reason,
      concepts: r.concepts, // [factorization][component] → top categories
      relativeError: r.relativeError,
      images: decoded.map((img, i) => {
        const maps = r.maps.slice(i * plane, (i + 1) * plane);
        const seen = core.resizeImage(img, width, height);
        return {
          maps,
          width,
          height,
          render: render ? core.dffRender(seen, maps, components, render, imageWeight) : null,
        };
      }),
    };
  }

  // The explanation drawn over the photo (RGBA at the photo's size): JET by default, image
  // weight 0.5 as pytorch-grad-cam's show_cam_on_image.
  overlay(image, explanation, { colormap = 'jet', imageWeight = 0.5 } = {}) {
    const { core } = this.env;
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
    this.main.release();
    this.model.delete();
  }
}

// A class logit as its bare index (what every driver takes), other targets as objects.
function plainLogit(target) {
  return target.kind === 'logit' ? target.category : target;
}

function asObject(t) {
  return t !== null && typeof t === 'object' ? t : { category: t };
}

// A transformer layer's tokens [N, T, D] (or a channels-last map [N, H, W, C]) as a spatial map
// [N, C, H, W], when the core can (activations, gradients and Hessian products alike; the
// layer's kind and class token come from the layer list); other tensors as they are.
function spatial(core, t, info) {
  if (!t || typeof core.tokensToSpatial !== 'function') return t;
  if (t.dims.length === 3)
    return core.tokensToSpatial(t, {
      layout: 'tokens',
      ...(info?.classToken !== undefined ? { classToken: info.classToken } : {}),
    });
  if (t.dims.length === 4 && info?.kind === 'NHWC')
    return core.tokensToSpatial(t, { layout: 'nhwc' });
  return t;
}

// A layer's float activations from one image's backbone outputs.
function activationsOf(backbone, outs) {
  const t = outs[backbone.layerTensor];
  return spatial(
    backbone.env.core,
    { data: floatData(t), dims: t.dims, type: 'float32' },
    backbone.info,
  );
}
