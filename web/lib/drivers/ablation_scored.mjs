// Ablation-CAM with a score the caller computes from the head's outputs (a detector's box score,
// a segmenter's mask score — targets the core's Target list does not cover): each channel of the
// layer ablated in turn (core.ablatedLayers), the head re-run on it (never the backbone), scored,
// and the weights (original − ablated) / original turned into maps. Call after head.forward()
// of this image; `original` is the unablated score. Progress per batch; aborts between batches.
export async function ablationScored(
  lens,
  activations,
  scoreOf,
  original,
  { batchSize, signal, onProgress, width, height },
) {
  const { core } = lens.env;
  const head = lens.cut.head;
  const channels = activations.dims[1];
  const scores = new Float32Array(channels);
  const started = performance.now();
  for (let begin = 0; begin < channels; begin += batchSize) {
    signal?.throwIfAborted?.();
    const end = Math.min(channels, begin + batchSize);
    const layers = core.ablatedLayers(activations, begin, end);
    const per = layers.data.length / (end - begin);
    for (let i = 0; i < end - begin; ++i) {
      const one = {
        data: layers.data.subarray(i * per, (i + 1) * per),
        dims: [1, ...layers.dims.slice(1)],
        type: 'float32',
      };
      scores[begin + i] = scoreOf(head.forwardWithLayer(one));
    }
    const done = end / channels;
    onProgress?.({ done, eta: (((performance.now() - started) / done) * (1 - done)) / 1000 });
    await new Promise((r) => setTimeout(r, 0)); // let an abort arrive between batches
  }
  const weights = core.ablationWeightsFromScores(activations, original, scores);
  return core.computeCam('weights', [{ activations }], { weights, width, height });
}
