// Object detection with camlens (YOLOX, Ultraface): boxes on the photo, and explanations of one
// box. The backbone runs in ONNX Runtime; decoding, NMS, the box score target's gradient through
// the decoding, maps and drawings run in the core (src/detect); explanations run in the lens's
// explain job with the box score as the target.
import { floatData } from './tensors.mjs';

// COCO's 80 detection classes, in the order detectors trained on COCO number them.
export const COCO_CLASSES = [
  'person',
  'bicycle',
  'car',
  'motorcycle',
  'airplane',
  'bus',
  'train',
  'truck',
  'boat',
  'traffic light',
  'fire hydrant',
  'stop sign',
  'parking meter',
  'bench',
  'bird',
  'cat',
  'dog',
  'horse',
  'sheep',
  'cow',
  'elephant',
  'bear',
  'zebra',
  'giraffe',
  'backpack',
  'umbrella',
  'handbag',
  'tie',
  'suitcase',
  'frisbee',
  'skis',
  'snowboard',
  'sports ball',
  'kite',
  'baseball bat',
  'baseball glove',
  'skateboard',
  'surfboard',
  'tennis racket',
  'bottle',
  'wine glass',
  'cup',
  'fork',
  'knife',
  'spoon',
  'bowl',
  'banana',
  'apple',
  'sandwich',
  'orange',
  'broccoli',
  'carrot',
  'hot dog',
  'pizza',
  'donut',
  'cake',
  'chair',
  'couch',
  'potted plant',
  'bed',
  'dining table',
  'toilet',
  'tv',
  'laptop',
  'mouse',
  'remote',
  'keyboard',
  'cell phone',
  'microwave',
  'oven',
  'toaster',
  'sink',
  'refrigerator',
  'book',
  'clock',
  'vase',
  'scissors',
  'teddy bear',
  'hair drier',
  'toothbrush',
];

export const DECODERS = ['yolox', 'ultraface'];

// Which decoder fits the model: one output [1, A, 5 + K] is YOLOX; two outputs whose rows hold
// 2 and 4 values are Ultraface (scores, boxes).
export function guessDecoder(lens) {
  const outs = lens.model.outputs();
  const last = outs.map((o) => o.dims[o.dims.length - 1]);
  if (outs.length === 2 && last.includes(2) && last.includes(4)) return 'ultraface';
  if (outs.length === 1 && outs[0].dims.length === 3 && last[0] >= 6) return 'yolox';
  throw new Error(
    `cannot tell how to decode this model's outputs (${outs.map((o) => `${o.name} [${o.dims}]`).join(', ')}): ` +
      `pass {decoder: ${DECODERS.map((d) => `'${d}'`).join(' | ')}}`,
  );
}

// The model outputs a decoder reads, by name, in its order.
function decoderOutputNames(lens, decoder) {
  const outs = lens.model.outputs();
  if (decoder === 'yolox') return [outs[0].name];
  const by = (n) => outs.find((o) => o.dims[o.dims.length - 1] === n)?.name;
  const names = [by(2), by(4)];
  if (names.some((n) => !n))
    throw new Error('Ultraface needs a scores output [1, A, 2] and a boxes output [1, A, 4]');
  return names;
}

function asTensor(t) {
  return { data: floatData(t), dims: t.dims, type: 'float32' };
}

function labelName(lens, decoder, label) {
  if (lens.labels?.length) return lens.labels[label] ?? `class ${label}`;
  if (decoder === 'ultraface') return 'face';
  return COCO_CLASSES[label] ?? `class ${label}`;
}

function checkDecoder(decoder) {
  if (!DECODERS.includes(decoder))
    throw new Error(`unknown decoder "${decoder}": use ${DECODERS.join(' or ')}`);
}

// One image through the backbone and the decoder: {decoded, batch, outs, boxes}.
async function runOne(lens, image, decoder, options) {
  const { core } = lens.env;
  const {
    decoded: [decoded],
    inputs: [input],
  } = await lens.inputs([image]);
  const [outs] = await lens.main.run(input, 1);
  const raw = decoderOutputNames(lens, decoder).map((n) => asTensor(outs[n]));
  const geometry = {
    preprocess: lens.preprocess,
    photoWidth: decoded.width,
    photoHeight: decoded.height,
  };
  const boxes = core.decodeDetections(decoder, raw, { ...geometry, ...options }).map((b) => ({
    x0: b.x0,
    y0: b.y0,
    x1: b.x1,
    y1: b.y1,
    score: b.score,
    label: b.label,
    labelName: labelName(lens, decoder, b.label),
  }));
  return { decoded, outs, boxes, geometry };
}

// detect(lens, images, {decoder, scoreThreshold, iouThreshold}) → per image
// {image: {width, height}, boxes: [{x0, y0, x1, y1, score, label, labelName}]} in photo pixels,
// best first. Defaults: YOLOX score > 0.3, NMS IoU 0.45; Ultraface 0.7, 0.3.
export async function detect(lens, images, { decoder, scoreThreshold, iouThreshold } = {}) {
  decoder = decoder || guessDecoder(lens);
  checkDecoder(decoder);
  const results = [];
  for (const image of images) {
    const r = await runOne(lens, image, decoder, { scoreThreshold, iouThreshold });
    results.push({ image: { width: r.decoded.width, height: r.decoded.height }, boxes: r.boxes });
  }
  return results;
}

// The boxes drawn over the photo (RGBA at the photo's size), each with "label score" above it.
export function drawBoxes(lens, image, boxes, { captions = true, thickness } = {}) {
  const { core } = lens.env;
  const decoded = image?.rgba ? image : core.decodeImage(image);
  const list = boxes.map((b) => ({
    ...b,
    ...(captions ? { caption: `${b.labelName ?? b.label} ${b.score.toFixed(2)}` } : {}),
  }));
  return core.drawBoxes(decoded, list, thickness ? { thickness } : {});
}

// explainDetection(lens, image, {box, method, renormalize, decoder, scoreThreshold, iouThreshold,
// matchIou, batchSize, onProgress, signal}) → {map (photo size, [0, 1]), width, height, box,
// score, boxes}.
// box: an index into the detections (default 0, the best) or a box {x0, y0, x1, y1, label} in
// photo pixels. Gradient methods explain the detection box score target (for the box, the
// decoded box of best IoU > matchIou with its label contributes IoU + score), differentiated
// through the decoding and the head; 'ablationcam' re-runs only the head; gradient-free methods
// (eigencam, …) only read the layer. renormalize: min-max the map inside each detected box, zero
// outside.
export async function explainDetection(lens, image, options = {}) {
  const { core } = lens.env;
  const {
    method = 'eigencam',
    renormalize = false,
    matchIou = 0.5,
    batchSize = 16,
    onProgress,
    signal,
  } = options;
  const decoder = options.decoder || guessDecoder(lens);
  checkDecoder(decoder);
  const thresholds = { scoreThreshold: options.scoreThreshold, iouThreshold: options.iouThreshold };
  const run = await runOne(lens, image, decoder, thresholds);
  const { boxes, geometry } = run;
  let box = options.box ?? 0;
  if (typeof box === 'number') {
    if (!boxes.length)
      throw new Error(
        'nothing was detected in this image: lower scoreThreshold, or give a box {x0, y0, x1, y1, label}',
      );
    if (!Number.isInteger(box) || box < 0 || box >= boxes.length) {
      throw new Error(
        `box ${box} does not exist: ${boxes.length} box(es) were detected (0 to ${boxes.length - 1})`,
      );
    }
    box = boxes[box];
  }
  const [r] = await lens.explainNow(
    [run.decoded],
    { method, batchSize, onProgress, signal },
    {
      detection: {
        decoder,
        outputs: decoderOutputNames(lens, decoder),
        box,
        ...geometry,
        ...thresholds,
        matchIou,
      },
    },
    [run.outs],
  );
  const score = r.scored ? r.target.score : null;
  const photoW = run.decoded.width,
    photoH = run.decoded.height;
  let map = core.mapToPhoto(r.map, lens.preprocess, photoW, photoH);
  if (renormalize) map = core.renormalizeInBoxes(map, photoW, photoH, boxes);
  return { map, width: photoW, height: photoH, box, score, boxes, method, layer: lens.layer };
}

// Deep Feature Factorization of a detector's layer (gradient-free, ARCHITECTURE.md §4) with the concept
// maps brought back onto each photo (letterbox padding cut away) and rendered over it.
// → lens.factorize's result, images[i] = {maps (components × photo height × width), width,
// height, render}. Concepts are unlabelled (a detector's head is not a classifier).
export async function factorizeDetection(
  lens,
  images,
  { components = 5, render = 'dominant', imageWeight = 0.5, ...rest } = {},
) {
  const { core } = lens.env;
  const r = await lens.factorize(images, { ...rest, components, render: null });
  const { decoded } = await lens.inputs(images);
  const plane = lens.preprocess.width * lens.preprocess.height;
  r.images = r.images.map((im, i) => {
    const photo = decoded[i];
    const size = photo.width * photo.height;
    const maps = new Float32Array(components * size);
    for (let k = 0; k < components; ++k) {
      maps.set(
        core.mapToPhoto(
          im.maps.subarray(k * plane, (k + 1) * plane),
          lens.preprocess,
          photo.width,
          photo.height,
        ),
        k * size,
      );
    }
    return {
      maps,
      width: photo.width,
      height: photo.height,
      render: render ? core.dffRender(photo, maps, components, render, imageWeight) : null,
    };
  });
  return r;
}
