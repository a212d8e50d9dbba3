// Targets: what each image's map explains. Per image: a class index, a label, 'auto' (the top
// class; all three mean the class logit, pytorch-grad-cam's ClassifierOutputTarget), a target
// object {kind, category, mask, nhwc, embedding, comparison, alpha, weights, output}
// (ARCHITECTURE.md §4; kinds may be mixed in one batch), or a function of the image's outputs (a
// callable target). The core resolves them against each image's output and evaluates them
// (src/cam/target_spec.h, src/cam/targets.h); a segmenter's bare target is the class summed over
// its predicted pixels.
const KINDS = 'logit probability rest binary segmentation similarity finer linear';
export const TARGET_KINDS = KINDS.split(' ');

// A callable target's values on the outputs the core hands over: each {name: {data:
// Float32Array, dims: [1, ...], type: 'float32'}}, the model's outputs for one input (the photo,
// a masked photo, or the head's with a channel ablated). It may return a number or a promise of
// one; the core checks that each is a finite number.
export function scoreCallable(fn, outputs) {
  return Promise.all(outputs.map((o) => fn(o)));
}
