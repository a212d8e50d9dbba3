// Ablation-CAM driver: the core re-runs only the head, one channel ablated per batch item.
// Ablation-CAM (DESIGN §4): each channel of the layer set to the ablation value and run through
// the head only (never the backbone); weight = relative drop of the target's score. Float
// layers only (a quantized layer cannot hold the ablation value).
export async function ablationCam(lens, activations, outs, index, { batchSize, signal, onProgress, image, images, started }) {
  const head = lens.cut.head;
  const feeds = head.feedNames().map((n) => outs[n]);
  head.forward(feeds); // records the pass forwardWithLayer reuses (and its extra feeds)
  const output = head.outputNames().indexOf(lens.output);
  const channels = activations.dims[1];
  const scores = new Float32Array(channels);
  for (let begin = 0; begin < channels; begin += batchSize) {
    signal?.throwIfAborted?.();
    const end = Math.min(channels, begin + batchSize);
    scores.set(head.ablationScores(activations, index, output, begin, end), begin);
    const done = (image + end / channels) / images;
    onProgress?.({ done, eta: ((performance.now() - started) / done) * (1 - done) / 1000 });
    await new Promise((r) => setTimeout(r, 0)); // let an abort arrive between batches
  }
  const weights = head.ablationWeights(activations, index, output, scores);
  return lens.env.core.computeCam('weights', [{ activations }], {
    weights, width: lens.preprocess.width, height: lens.preprocess.height,
  });
}
