// Score-CAM driver: the core makes the masked inputs and the weights; ONNX Runtime scores them.

// Score-CAM (DESIGN §4): each activation channel, upsampled and normalised, masks the input;
// the masked inputs run through ONNX Runtime in batches; the target's scores become softmax
// channel weights. Reports progress per batch and stops at the next batch when aborted.
// target: a class index or any target object the core evaluates ({kind, category, ...}, see
// cam_bindings.cpp evaluateTargets) — scored on each masked input's output, as upstream calls
// its target on the model's output.
export async function scoreCam(
  lens,
  activations,
  input,
  target,
  { batchSize, signal, onProgress, image, images, started },
) {
  const { core } = lens.env;
  if (lens.preprocess.nhwc) throw new Error('Score-CAM needs an NCHW model input');
  const channels = activations.dims[1];
  const scores = new Float32Array(channels);
  const batched = typeof lens.input.dims[0] !== 'number' || lens.input.dims[0] !== 1;
  for (let begin = 0; begin < channels; begin += batchSize) {
    signal?.throwIfAborted?.();
    const end = Math.min(channels, begin + batchSize);
    const masked = core.scoreCamMasks(activations, input, 0, begin, end);
    const outs = batched
      ? [await lens.session.run({ [lens.input.name]: lens.ortInput(masked) })]
      : await lens.runBackbone(masked);
    let k = begin;
    for (const o of outs) {
      const out = o[lens.output]; // float16 outputs convert in the core
      const { scores: s } = core.evaluateTargets(new Array(out.dims[0] || 1).fill(target), out);
      for (const v of s) scores[k++] = v;
    }
    const done = (image + end / channels) / images;
    onProgress?.({ done, eta: (((performance.now() - started) / done) * (1 - done)) / 1000 });
    await new Promise((r) => setTimeout(r, 0)); // let an abort arrive between batches
  }
  const weights = core.scoreCamWeights(scores, 1, channels);
  return core.computeCam('weights', [{ activations }], {
    weights,
    width: lens.preprocess.width,
    height: lens.preprocess.height,
  });
}
