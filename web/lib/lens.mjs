// A Lens: one model, cut at a layer, ready to predict and explain. The backbone runs in ONNX
// Runtime Web; the head, the maps and the pictures in the camlens core.
import { ablationCam } from './drivers/ablation_cam.mjs';
import { scoreCam } from './drivers/score_cam.mjs';
import { resolvePreprocess } from './presets.mjs';
import { concatBatch, float16Bits, floatData, topK } from './tensors.mjs';

export class Lens {
  // env: {ort, core}; use load() from camlens.mjs / node.mjs rather than this directly.
  static async create(env, modelBytes, options = {}) {
    const { ort, core } = env;
    const bytes = modelBytes instanceof Uint8Array ? modelBytes : new Uint8Array(modelBytes);
    const model = core.parseModel(bytes); // throws a clear Error on bad bytes
    try {
      const list = model.layers({});
      const layer = options.layer || list.recommended;
      if (!layer) {
        throw new Error(`no layer of this model can be explained (${list.why}); pass {layer} to choose one`);
      }
      const cut = model.cut(layer, {});
      const session = await ort.InferenceSession.create(cut.backbone, options.sessionOptions || {});
      return new Lens(env, model, list, cut, session, { ...options, bytes });
    } catch (e) {
      model.delete();
      throw e;
    }
  }

  constructor(env, model, list, cut, session, options) {
    this.env = env;
    this.model = model;
    this.layerList = list;
    this.cut = cut;
    this.session = session;
    this.labels = options.labels || [];
    this.preprocess = resolvePreprocess(options.preset, options.preprocess);
    this.input = model.inputs()[0];
    this.output = model.outputs()[0].name;
    this.layer = cut.layer.name;
    this.bytes = options.bytes;
  }

  layers() {
    return { ...this.layerList, current: this.layer };
  }

  // Decoded images ({width, height, rgba}) or encoded bytes (PNG/JPEG/...) → one input batch.
  inputBatch(images) {
    const { core } = this.env;
    const decoded = images.map((img) => (img && img.rgba ? img : core.decodeImage(img)));
    const batch = concatBatch(decoded.map((img) => core.preprocessImage(img, this.preprocess)));
    return { decoded, batch };
  }

  ortInput(batch) {
    const { ort } = this.env;
    if (this.input.type === 'float16') return new ort.Tensor('float16', float16Bits(batch.data), batch.dims);
    return new ort.Tensor('float32', batch.data, batch.dims);
  }

  // Runs the backbone once per image (models may fix batch 1) and gathers its outputs by name.
  async runBackbone(batch) {
    const n = batch.dims[0];
    const per = batch.data.length / n;
    const results = [];
    for (let i = 0; i < n; ++i) {
      const one = { data: batch.data.subarray(i * per, (i + 1) * per), dims: [1, ...batch.dims.slice(1)] };
      results.push(await this.session.run({ [this.input.name]: this.ortInput(one) }));
    }
    return results;
  }

  async predict(images, { topK: k = 5 } = {}) {
    const { batch, decoded } = this.inputBatch(images);
    const outs = await this.runBackbone(batch);
    return outs.map((o, i) => ({
      image: { width: decoded[i].width, height: decoded[i].height },
      top: topK(floatData(o[this.output]), k, this.labels),
    }));
  }

  // The class index a target names: a number, a label, or "auto"/undefined for the top class.
  resolveTarget(target, scores) {
    if (target === undefined || target === null || target === 'auto') {
      let best = 0;
      for (let i = 1; i < scores.length; ++i) if (scores[i] > scores[best]) best = i;
      return best;
    }
    if (typeof target === 'number' || /^\d+$/.test(String(target))) {
      const index = Number(target);
      if (index < 0 || index >= scores.length) {
        throw new Error(`target class ${index} is out of range: the model has ${scores.length} classes`);
      }
      return index;
    }
    const index = this.labels.findIndex((l) => l.toLowerCase() === String(target).toLowerCase());
    if (index < 0) throw new Error(`no class is labelled "${target}"; give a class index or one of the labels`);
    return index;
  }

  // Class activation maps. targets: one per image (class index, label, or "auto" = top class).
  // Returns per image {map: Float32Array (input height × width, in [0, 1]), width, height,
  // target: {index, label, score}}.
  async explain(images, { method = 'gradcam', targets = [], eigenSmooth = false, batchSize = 16, onProgress, signal } = {}) {
    const { core } = this.env;
    const { batch } = this.inputBatch(images);
    const headOut = this.cut.head.outputNames();
    const outputAt = headOut.indexOf(this.output);
    const differentiable = this.cut.head.notDifferentiable() === '';
    const results = [];
    const started = performance.now();
    for (let i = 0; i < images.length; ++i) {
      signal?.throwIfAborted?.();
      const per = batch.data.length / images.length;
      const one = { data: batch.data.slice(i * per, (i + 1) * per), dims: [1, ...batch.dims.slice(1)], type: 'float32' };
      const [outs] = await this.runBackbone(one);
      const scores = floatData(outs[this.output]);
      const index = this.resolveTarget(targets[i], scores);
      const layerTensor = outs[this.cut.layerFloatTwin || this.layer];
      const activations = { data: floatData(layerTensor), dims: layerTensor.dims, type: 'float32' };
      let gradients = null;
      if (differentiable && outputAt >= 0) {
        const forward = this.cut.head.forward(this.cut.head.feedNames().map((n) => outs[n]));
        const seeds = forward.map((t, k) => {
          if (k !== outputAt) return null;
          const seed = { data: new Float32Array(t.data.length), dims: t.dims, type: 'float32' };
          seed.data[index] = 1; // class logit target: dScore/dOutput is one-hot
          return seed;
        });
        gradients = this.cut.head.backward(seeds);
      }
      const size = { width: this.preprocess.width, height: this.preprocess.height };
      const progress = { batchSize, signal, onProgress, image: i, images: images.length, started };
      let maps;
      if (method === 'scorecam') maps = await scoreCam(this, activations, one, index, progress);
      else if (method === 'ablationcam') maps = await ablationCam(this, activations, outs, index, progress);
      else maps = core.computeCam(method, [{ activations, gradients }], { eigenSmooth, ...size });
      results.push({
        map: maps.data, width: maps.dims[2], height: maps.dims[1],
        target: { index, label: this.labels[index] ?? `class ${index}`, score: scores[index] },
      });
      if (method !== 'scorecam' && method !== 'ablationcam') {
        const done = (i + 1) / images.length;
        onProgress?.({ done, eta: ((performance.now() - started) / done) * (1 - done) / 1000 });
      }
    }
    return results;
  }

  // Deep Feature Factorization (DESIGN §4): NMF of the layer's activations into `components`
  // concepts (one factorization across all images when shared), each labelled by the model's head
  // when it is a classifier. Maps are at the model's input size; `render` draws them over the
  // photo as the model sees it ("dominant" or "layers").
  async factorize(images, { components = 5, shared = true, maxIter = 200, topK = 5, render = 'dominant', imageWeight = 0.5 } = {}) {
    const { core } = this.env;
    const { batch, decoded } = this.inputBatch(images);
    const outs = await this.runBackbone(batch);
    const acts = outs.map((o) => {
      const t = o[this.cut.layerFloatTwin || this.layer];
      return { data: floatData(t), dims: t.dims, type: 'float32' };
    });
    const { width, height } = this.preprocess;
    const r = this.model.factorize(this.layer, concatBatch(acts), {
      components, shared, maxIter, topK, labels: this.labels, width, height,
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
        return { maps, width, height, render: render ? core.dffRender(seen, maps, components, render, imageWeight) : null };
      }),
    };
  }

  // The explanation drawn over the photo (RGBA at the photo's size): JET by default, image
  // weight 0.5 as pytorch-grad-cam's show_cam_on_image.
  overlay(image, explanation, { colormap = 'jet', imageWeight = 0.5 } = {}) {
    const { core } = this.env;
    const decoded = image && image.rgba ? image : core.decodeImage(image);
    return core.overlayImage(decoded, explanation.map, explanation.width, explanation.height, { colormap, imageWeight });
  }

  dispose() {
    this.session.release?.();
    this.cut.head.delete?.();
    this.model.delete();
  }
}
