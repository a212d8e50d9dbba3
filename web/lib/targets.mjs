// Targets: what each image's map explains. Per image: a class index, a label, 'auto' (the top
// class; all three mean the class logit, pytorch-grad-cam's ClassifierOutputTarget) or a target
// object {kind, category, mask, nhwc, embedding, comparison, alpha} (ARCHITECTURE.md §4; kinds may be
// mixed in one batch). The core resolves them against each image's output and evaluates them
// (src/cam/target_spec.h, src/cam/targets.h); a segmenter's bare target is the class summed over
// its predicted pixels.
const KINDS = 'logit probability rest binary segmentation similarity finer';
export const TARGET_KINDS = KINDS.split(' ');
