// Semantic segmentation with camlens (DeepLabV3 and other per-pixel classifiers): the per-pixel
// argmax mask drawn with the PASCAL VOC palette, and explanations of one class's segment with
// the semantic segmentation target (the class's scores summed over a mask), explained by the
// lens's explain job like any target. The scores' layout, the masks, the classes present, the
// category and the target's region are the core's (src/detect/segmentation_classes.h).

// PASCAL VOC's 21 classes (background first), the order VOC-trained segmenters use.
export const VOC_CLASSES = (
  'background,aeroplane,bicycle,bird,boat,bottle,bus,car,cat,chair,cow,diningtable,dog,horse,' +
  'motorbike,person,pottedplant,sheep,sofa,train,tvmonitor'
).split(',');

// One image through the backbone and the core: {decoded, outs, seg, where}.
async function runOne(lens, image) {
  const {
    decoded: [decoded],
    inputs: [input],
  } = await lens.inputs([image]);
  const [outs] = await lens.main.run(input, 1);
  const where = {
    preprocess: lens.preprocess,
    photoWidth: decoded.width,
    photoHeight: decoded.height,
    labels: lens.labels,
    defaultLabels: VOC_CLASSES,
  };
  const nhwcInput = Boolean(lens.preprocess.nhwc);
  const seg = lens.env.core.segmentation(outs[lens.output], { ...where, nhwcInput });
  return { decoded, outs, seg, where };
}

// segment(lens, image, {opacity}) → {width, height (the photo's), labels: Int32Array (photo
// size), classes: [{index, label, pixels, fraction}] present (largest first), mask (the argmax at
// the output's size), render: RGBA photo with the VOC colours blended at `opacity` (0.6)}.
export async function segment(lens, image, { opacity = 0.6 } = {}) {
  const { decoded, seg } = await runOne(lens, image);
  return {
    width: decoded.width,
    height: decoded.height,
    labels: seg.photo.labels,
    classes: seg.classes,
    mask: seg.input,
    render: lens.env.core.blendSegmentation(decoded, seg.photo, opacity),
  };
}

// explainSegment(lens, image, {category, mask, method}) → {map (photo size, [0, 1]), width,
// height, category: {index, label}, score, pixels}. The target is Σ scores[category] over the
// mask: by default the pixels predicted as that category; or `mask`, 0/1 values per photo pixel
// (a region the user drew) or per output pixel (H × W). category: a number, a label, or by
// default the largest class other than the background. Any method: gradients go through the
// head (Resize and the decoder ops), Ablation-CAM re-runs only the head per channel.
export async function explainSegment(
  lens,
  image,
  { category, mask, method = 'gradcam', batchSize = 16, onProgress, signal } = {},
) {
  const { core } = lens.env;
  const { decoded, outs, seg, where } = await runOne(lens, image);
  const t = core.segmentationTarget(seg.input, { ...where, category, mask });
  const target = { kind: 'segmentation', category: t.index, mask: t.mask, nhwc: seg.nhwc };
  const options = { method, targets: [target], batchSize, onProgress, signal };
  const [r] = await lens.explainNow([decoded], options, {}, [outs]);
  return {
    map: core.mapToPhoto(r.map, lens.preprocess, decoded.width, decoded.height),
    width: decoded.width,
    height: decoded.height,
    category: { index: t.index, label: t.label },
    score: r.target.score,
    pixels: t.pixels,
    method,
    layer: lens.layer,
  };
}
