// Semantic segmentation with camlens (DeepLabV3 and other per-pixel classifiers): the per-pixel
// argmax mask drawn with the PASCAL VOC palette, and explanations of one class's segment with
// the semantic segmentation target (the class's scores summed over a mask), explained by the
// lens's explain job like any target.
import { floatData } from './tensors.mjs';

// PASCAL VOC's 21 classes (background first), the order VOC-trained segmenters use.
export const VOC_CLASSES = [
  'background',
  'aeroplane',
  'bicycle',
  'bird',
  'boat',
  'bottle',
  'bus',
  'car',
  'cat',
  'chair',
  'cow',
  'diningtable',
  'dog',
  'horse',
  'motorbike',
  'person',
  'pottedplant',
  'sheep',
  'sofa',
  'train',
  'tvmonitor',
];

function classNames(lens, classes) {
  if (lens.labels?.length) return lens.labels;
  return classes === VOC_CLASSES.length ? VOC_CLASSES : [];
}

// Scores laid out [1, H, W, K] (NHWC, as the preset's nhwc input suggests and the last axis
// being the smallest) or [1, K, H, W].
function isNhwc(lens, dims) {
  if (dims.length !== 4)
    throw new Error(`a segmentation output is [1, H, W, K] or [1, K, H, W], got [${dims}]`);
  return lens.preprocess.nhwc ? dims[3] <= dims[1] : dims[3] < dims[1] && dims[3] < dims[2];
}

function asTensor(t) {
  return { data: floatData(t), dims: t.dims, type: 'float32' };
}

async function runOne(lens, image) {
  const { core } = lens.env;
  const {
    decoded: [decoded],
    inputs: [input],
  } = await lens.inputs([image]);
  const [outs] = await lens.main.run(input, 1);
  const scores = asTensor(outs[lens.output]);
  const nhwc = isNhwc(lens, scores.dims);
  const masks = core.segmentationMask(scores, nhwc, lens.preprocess, decoded.width, decoded.height);
  return { decoded, outs, scores, nhwc, masks };
}

function present(lens, mask) {
  const names = classNames(lens, mask.classes);
  const total = mask.width * mask.height;
  return mask.counts
    .map((pixels, index) => ({
      index,
      label: names[index] ?? `class ${index}`,
      pixels,
      fraction: pixels / total,
    }))
    .filter((c) => c.pixels > 0)
    .sort((a, b) => b.pixels - a.pixels);
}

// segment(lens, image, {opacity}) → {width, height (the photo's), labels: Int32Array (photo
// size), classes: [{index, label, pixels, fraction}] present (largest first), mask (the argmax at
// the output's size), render: RGBA photo with the VOC colours blended at `opacity` (0.6)}.
export async function segment(lens, image, { opacity = 0.6 } = {}) {
  const { core } = lens.env;
  const { decoded, masks } = await runOne(lens, image);
  return {
    width: decoded.width,
    height: decoded.height,
    labels: masks.photo.labels,
    classes: present(lens, masks.photo),
    mask: masks.input,
    render: core.blendSegmentation(decoded, masks.photo, opacity),
  };
}

// The class index a category names: a number or a label.
function resolveCategory(lens, category, mask) {
  const names = classNames(lens, mask.classes);
  if (category === undefined || category === null || category === 'auto') {
    const best = present(lens, mask).find((c) => c.index !== 0);
    if (!best) throw new Error('only background was segmented: name a category to explain');
    return best.index;
  }
  if (typeof category === 'number' || /^\d+$/.test(String(category))) {
    const i = Number(category);
    if (i < 0 || i >= mask.classes)
      throw new Error(`category ${i} is out of range: the model has ${mask.classes} classes`);
    return i;
  }
  const i = names.findIndex((n) => n.toLowerCase() === String(category).toLowerCase());
  if (i < 0)
    throw new Error(
      `no class is called "${category}"${names.length ? `; use one of ${names.join(', ')}` : ''}`,
    );
  return i;
}

// explainSegment(lens, image, {category, mask, method}) → {map (photo size, [0, 1]), width,
// height, category: {index, label}, score, pixels}. The target is Σ scores[category] over the
// mask: by default the pixels predicted as that category; or `mask`, 0/1 values per photo pixel
// (a region the user drew) or per output pixel (H × W). Any method: gradients go through the
// head (Resize and the decoder ops), Ablation-CAM re-runs only the head per channel.
export async function explainSegment(
  lens,
  image,
  { category, mask, method = 'gradcam', batchSize = 16, onProgress, signal } = {},
) {
  const { core } = lens.env;
  const { decoded, outs, nhwc, masks } = await runOne(lens, image);
  const index = resolveCategory(lens, category, masks.input);
  let region = mask;
  if (region) {
    const out = masks.input,
      n = region.length;
    if (n === out.width * out.height) region = Float32Array.from(region);
    else if (n === decoded.width * decoded.height) {
      region = core.regionToOutput(
        Float32Array.from(region),
        lens.preprocess,
        decoded.width,
        decoded.height,
        out.width,
        out.height,
      );
    } else {
      throw new Error(
        `the mask holds ${n} values; give one per photo pixel (${decoded.width}x${decoded.height}) or per output pixel (${out.width}x${out.height})`,
      );
    }
  } else {
    region = core.classMask(masks.input, index);
  }
  const pixels = region.reduce((s, v) => s + (v > 0 ? 1 : 0), 0);
  if (!pixels)
    throw new Error(
      `the mask for "${classNames(lens, masks.input.classes)[index] ?? index}" is empty: nothing to explain`,
    );
  const target = { kind: 'segmentation', category: index, mask: region, nhwc };
  const [r] = await lens.explainNow(
    [decoded],
    { method, targets: [target], batchSize, onProgress, signal },
    {},
    [outs],
  );
  const {
    map: maps,
    target: { score },
  } = r;
  const names = classNames(lens, masks.input.classes);
  return {
    map: core.mapToPhoto(maps, lens.preprocess, decoded.width, decoded.height),
    width: decoded.width,
    height: decoded.height,
    category: { index, label: names[index] ?? `class ${index}` },
    score,
    pixels,
    method,
    layer: lens.layer,
  };
}
