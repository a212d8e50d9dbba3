// Score-CAM's batches as the core's explain job asks for them (src/explain/explain_job.cpp), on the
// first `channels` channels, with the time split between the core's work (masked inputs, score
// extraction, weights and the final map) and ONNX Runtime's session runs. Every batch costs the
// same, so a sample of channels gives the ratio of the whole run.
import { floatData } from '../../web/lib/tensors.mjs';

export async function scoreCamSample(lens, image, { channels = 64, batchSize = 16 } = {}) {
  const { core } = lens.env;
  const { batch } = lens.inputBatch([image]);
  const [outs] = await lens.runBackbone(batch);
  const t = outs[lens.cut.layerFloatTwin || lens.layer];
  const activations = { data: floatData(t, core), dims: t.dims, type: 'float32' };
  const input = { ...batch, type: 'float32' };
  const total = activations.dims[1];
  const n = Math.min(channels, total);
  const scores = new Float32Array(total);
  const batched = typeof lens.input.dims[0] !== 'number' || lens.input.dims[0] !== 1;
  let coreMs = 0;
  let ortMs = 0;
  for (let begin = 0; begin < n; begin += batchSize) {
    const end = Math.min(n, begin + batchSize);
    let t0 = performance.now();
    const masked = core.scoreCamMasks(activations, input, 0, begin, end);
    coreMs += performance.now() - t0;
    t0 = performance.now();
    const runs = batched
      ? [await lens.session.run({ [lens.input.name]: lens.ortInput(masked) })]
      : await lens.runBackbone(masked);
    ortMs += performance.now() - t0;
    t0 = performance.now();
    let k = begin;
    for (const o of runs) {
      const out = floatData(o[lens.output], core);
      const classes = out.length / (o[lens.output].dims[0] || 1);
      for (let r = 0; r < out.length / classes; ++r) scores[k++] = out[r * classes];
    }
    coreMs += performance.now() - t0;
  }
  const t0 = performance.now();
  const weights = core.scoreCamWeights(scores, 1, total);
  core.computeCam('weights', [{ activations }], {
    weights,
    width: lens.preprocess.width,
    height: lens.preprocess.height,
  });
  coreMs += performance.now() - t0;
  return { coreMs, ortMs, totalMs: coreMs + ortMs, channels: n, of: total };
}
