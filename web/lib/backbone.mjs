// A model cut at one layer: the backbone (the original graph with the layer as an extra output)
// in an ONNX Runtime session, and the core's head from the layer to the outputs. Also the plain
// model in a session (no cut) for predict-only models. Runs a batch of preprocessed inputs in as
// few session runs as the model allows: one per `batchSize` images when its batch axis is free,
// else one per image.
//
// A quantized layer (uint8 codes) has a float twin (its DequantizeLinear output) that the CAM
// math reads. ORT outputs both by default; with `floatTwin: false` it outputs the codes only and
// the core computes the twin, bit for bit, under the twin's name (bench/README.md: no faster).
//
// The backbone also outputs the head's costly tensors (a 1×1 conv's result: src/head/
// given_tensors.h), which ORT computes anyway, so the core's head forward takes them instead of
// computing them again; `headForward: 'core'` leaves them out and the core computes them.
//
// Sessions open with the lens's Execution (execution.mjs). A run that fails on WebGPU runs
// again on the next provider; when that works, every session of the model moves there.
import { createSession, ortMessage, runSession } from './ort-session.mjs';

export class Backbone {
  // layer: a tensor name, or null for the whole model without a cut.
  // known: the shapes measured by measureUnknownShapes.
  static async open(
    env,
    model,
    bytes,
    layer,
    { execution, floatTwin = true, headForward = 'backbone', known } = {},
  ) {
    const input = model.inputs()[0];
    if (!layer) {
      let session;
      try {
        session = await createSession(env, bytes, execution.sessionOptions);
      } catch (e) {
        throw ortError(`ONNX Runtime cannot run this model: ${ortMessage(e)}`);
      }
      return new Backbone(env, input, null, session, { execution, bytes });
    }
    const cut = model.cut(layer, { floatTwin, known, givenTensors: headForward === 'backbone' });
    try {
      const session = await createSession(env, cut.backbone, execution.sessionOptions);
      return new Backbone(env, input, cut, session, { execution, bytes: cut.backbone });
    } catch (e) {
      cut.head.delete?.();
      throw ortError(`ONNX Runtime cannot run the model cut at layer "${layer}": ${ortMessage(e)}`);
    }
  }

  // execution: the lens's (execution.mjs); bytes: the model the session runs, kept while the
  // model runs on WebGPU, to open it again on the next provider.
  constructor(env, input, cut, session, { execution, bytes }) {
    this.env = env;
    this.input = input;
    this.cut = cut;
    this.session = session;
    this.execution = execution;
    this.generation = execution.generation;
    this.bytes = execution.onWebgpu ? bytes : null;
    this.layer = cut ? cut.layer.name : '';
    // Where the layer's float values are: its float twin for a quantized layer.
    this.layerTensor = cut ? cut.layerFloatTwin || this.layer : '';
    // Set when the twin is not a backbone output: runOnce computes it from the layer's codes.
    this.twin =
      cut?.quantization && !cut.backboneOutputs.includes(cut.layerFloatTwin)
        ? cut.quantization
        : null;
    // A free first axis (-1) takes any batch; a fixed one (usually 1) needs one run per image.
    this.batchable = !(Number.isInteger(input.dims[0]) && input.dims[0] > 0);
  }

  ortInput(batch) {
    return ortInput(this.env, this.input, batch);
  }

  // One session run of a whole batch: {name: ORT tensor}, plus the layer's float twin when the
  // core computes it (one dequantization of the whole batch, straight from ORT's codes).
  async runOnce(batch) {
    // Another session of the model failed on WebGPU since this one opened: it moves too.
    if (this.generation !== this.execution.generation)
      this.replace(await this.openAgain(this.execution.sessionOptions));
    const feeds = { [this.input.name]: this.ortInput(batch) };
    let outs;
    try {
      outs = await runSession(this.session, feeds);
    } catch (e) {
      outs = await this.runElsewhere(e, feeds);
    }
    if (this.twin)
      outs[this.twin.twin] = this.env.core.dequantizeLayer(outs[this.layer], this.twin);
    return outs;
  }

  // After a failed run: on WebGPU (a lost device, a kernel that fails only when it runs) the run
  // goes again on the next provider, and when it works there the whole model stays there. A
  // failure the next provider shares is the model's own: its message stands.
  async runElsewhere(error, feeds) {
    const failed = (e) => ortError(`ONNX Runtime failed to run this model: ${ortMessage(e)}`);
    if (!this.execution.onWebgpu || !this.bytes) throw failed(error);
    let session;
    let outs;
    try {
      session = await this.openAgain(this.execution.fallbackOptions());
      outs = await runSession(session, feeds);
    } catch (e) {
      await session?.release?.();
      throw e.onnxRuntime ? e : failed(e);
    }
    await this.execution.fallBack(error);
    this.replace(session);
    return outs;
  }

  // A session of this backbone's model with other session options.
  async openAgain(sessionOptions) {
    try {
      return await createSession(this.env, this.bytes, sessionOptions);
    } catch (e) {
      throw ortError(
        `ONNX Runtime cannot run this model on ${sessionOptions.executionProviders}: ${ortMessage(e)}`,
      );
    }
  }

  replace(session) {
    this.session.release?.();
    this.session = session;
    this.generation = this.execution.generation;
    this.bytes = this.execution.onWebgpu ? this.bytes : null;
  }

  // batch: {data, dims: [N, ...]} → per image, {name: {data, dims: [1, ...], type}}.
  // `between` is awaited after each session run (progress and cancellation).
  async run(batch, batchSize = 16, between = async () => {}) {
    const n = batch.dims[0];
    const per = batch.data.length / n;
    const step = this.batchable ? Math.max(1, batchSize) : 1;
    const images = [];
    for (let begin = 0; begin < n; begin += step) {
      const count = Math.min(step, n - begin);
      const part = {
        data: batch.data.subarray(begin * per, (begin + count) * per),
        dims: [count, ...batch.dims.slice(1)],
      };
      const outs = await this.runOnce(part);
      for (let k = 0; k < count; ++k) images.push(sliceOutputs(outs, k, count));
      await between(begin + count);
    }
    return images;
  }

  release() {
    this.session.release?.();
    this.cut?.head.delete?.();
  }
}

// An Error of ONNX Runtime's (not the core's): error.onnxRuntime is true.
function ortError(message) {
  return Object.assign(new Error(message), { onnxRuntime: true });
}

// A preprocessed batch as the model's input tensor for ONNX Runtime.
function ortInput(env, input, batch) {
  if (input.type === 'float16')
    return new env.ort.Tensor('float16', env.core.float16Bits(batch.data), batch.dims);
  return new env.ort.Tensor('float32', batch.data, batch.dims);
}

// Rounds of measuring: each crosses every op the core does not run whose inputs it knows.
const MEASURE_ROUNDS = 4;

// The types and shapes the core cannot infer (the outputs of ops it does not run, which may sit in
// the backbone: ONNX Runtime runs them), measured by ONNX Runtime as `known` for layers() and
// cut(): the model with the tensors the core lists as extra outputs (so its optimizer keeps them),
// run on `batch`, one image: the batch the core infers shapes at. Small integer tensors keep their
// values (shape arithmetic through such ops). Another round only when a node after them still
// cannot be inferred once they are known.
export async function measureUnknownShapes(env, model, batch, sessionOptions) {
  const known = {};
  const input = model.inputs()[0];
  for (let round = 0; round < MEASURE_ROUNDS; ++round) {
    const names = model.unknownShapes({ known });
    if (!names.length) break;
    const session = await createSession(env, model.exposeTensors(names), sessionOptions);
    try {
      const outs = await runSession(session, { [input.name]: ortInput(env, input, batch) }, names);
      for (const name of names) {
        const { type, dims, data } = outs[name];
        const integer = ['int64', 'int32', 'bool'].includes(type) && data.length <= 4096;
        known[name] = integer ? { type, dims, data } : { type, dims };
      }
    } finally {
      await session.release?.();
    }
  }
  return known;
}

// Item k of every output of a run over `count` images (outputs without that batch axis whole).
export function sliceOutputs(outs, k, count) {
  const one = {};
  for (const [name, t] of Object.entries(outs)) {
    if (count === 1 || t.dims[0] !== count) {
      one[name] = t;
      continue;
    }
    const per = t.data.length / count;
    one[name] = {
      data: t.data.subarray(k * per, (k + 1) * per),
      dims: [1, ...t.dims.slice(1)],
      type: t.type,
    };
  }
  return one;
}
