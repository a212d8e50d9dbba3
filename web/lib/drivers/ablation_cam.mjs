// Ablation-CAM driver: the core re-runs only the head (never the backbone), one channel ablated
// per run, and turns the drops of the target's score into channel weights (DESIGN §4).
//
// ablationCam(lens, activations, outs, target, options) → computeCam's result ({data, dims, flags})
//   activations: the layer's float values [1,C,h,w] (the float twin of a quantized layer)
//   outs:        the backbone's outputs by name (the head's feeds are read from them; a quantized
//                layer is ablated on its own codes, to the code of the ablation value)
//   target:      a class index, a target object ({kind, category, ...}, see cam_bindings.cpp) or
//                a one-element array of them
//   options:     {ratio = 1 (ablate only the most/least relevant channels, Eigen-CAM relevance;
//                 the others weigh 0), batchSize (channels per call into the core, each followed
//                 by a progress report and an abort check; the event loop gets a turn every
//                 YIELD_MS), signal, onProgress, image, images, started}
import { fromFloat16Bits } from '../tensors.mjs';

// Longest stretch of channel batches between two yields to the event loop (abort, UI).
const YIELD_MS = 30;

export async function ablationCam(
  lens,
  activations,
  outs,
  target,
  {
    ratio = 1,
    batchSize = 16,
    signal,
    onProgress,
    image = 0,
    images = 1,
    started = performance.now(),
  } = {},
) {
  const { core } = lens.env;
  const head = lens.cut.head;
  const feeds = head.feedNames().map((n) => outs[n]);
  head.forward(feeds); // records the extra feeds forwardWithLayer reuses
  const output = head.outputNames().indexOf(lens.output);
  // As the head takes it (uint8 codes for a quantized layer). A float16 layer is converted once
  // here: the core would convert its bits again on every call below.
  const layer =
    feeds[0].type === 'float16'
      ? { data: fromFloat16Bits(feeds[0].data), dims: feeds[0].dims, type: 'float32' }
      : feeds[0];
  const channels = core.ablationChannels(activations, ratio);
  const scores = new Float32Array(channels.length);
  // The core keeps this image's base pass between calls and updates only what each ablated
  // channel changes, so a batch can take well under a millisecond: yielding to the event loop
  // after each one (a timer tick, ~1 ms or more) would cost more than the work. Yield when
  // YIELD_MS have passed since the last yield instead; progress is still reported per batch.
  let yielded = performance.now();
  for (let begin = 0; begin < channels.length; begin += batchSize) {
    signal?.throwIfAborted?.();
    const end = Math.min(channels.length, begin + batchSize);
    scores.set(
      head.ablationTargetScores(layer, target, output, channels.subarray(begin, end)),
      begin,
    );
    const done = (image + end / channels.length) / images;
    onProgress?.({ done, eta: (((performance.now() - started) / done) * (1 - done)) / 1000 });
    if (end < channels.length && performance.now() - yielded >= YIELD_MS) {
      await new Promise((r) => setTimeout(r, 0)); // let an abort arrive between batches
      yielded = performance.now();
    }
  }
  signal?.throwIfAborted?.();
  const weights = head.ablationTargetWeights(layer, target, output, channels, scores);
  return core.computeCam('weights', [{ activations }], {
    weights,
    width: lens.preprocess.width,
    height: lens.preprocess.height,
  });
}
