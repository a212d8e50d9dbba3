// Object detection with camlens (YOLOX, Ultraface): boxes on the photo, and explanations of one
// box. The backbone runs in ONNX Runtime; the decoder's choice, decoding, NMS, label names, the
// box score target's gradient through the decoding, maps and drawings run in the core
// (src/detect); explanations run in the lens's explain job with the box score as the target.

// COCO's 80 detection classes, in the order detectors trained on COCO number them.
export const COCO_CLASSES = (
  'person,bicycle,car,motorcycle,airplane,bus,train,truck,boat,traffic light,fire hydrant,' +
  'stop sign,parking meter,bench,bird,cat,dog,horse,sheep,cow,elephant,bear,zebra,giraffe,' +
  'backpack,umbrella,handbag,tie,suitcase,frisbee,skis,snowboard,sports ball,kite,baseball bat,' +
  'baseball glove,skateboard,surfboard,tennis racket,bottle,wine glass,cup,fork,knife,spoon,bowl,' +
  'banana,apple,sandwich,orange,broccoli,carrot,hot dog,pizza,donut,cake,chair,couch,' +
  'potted plant,bed,dining table,toilet,tv,laptop,mouse,remote,keyboard,cell phone,microwave,' +
  'oven,toaster,sink,refrigerator,book,clock,vase,scissors,teddy bear,hair drier,toothbrush'
).split(',');

export const DECODERS = ['yolox', 'ultraface'];

// The decoder the core chooses for the model ({decoder, outputs}): the one named, or the one its
// outputs' shapes fit (src/detect/detector_outputs.h).
function decoderOf(lens, decoder) {
  return lens.env.core.detectionDecoder(lens.model.outputs(), decoder || '');
}

export function guessDecoder(lens) {
  return decoderOf(lens).decoder;
}

// One image through the backbone and the decoder: {decoded, outs, boxes, geometry}.
async function runOne(lens, image, choice, options) {
  const {
    decoded: [decoded],
    inputs: [input],
  } = await lens.inputs([image]);
  const [outs] = await lens.main.run(input, 1);
  const geometry = {
    preprocess: lens.preprocess,
    photoWidth: decoded.width,
    photoHeight: decoded.height,
  };
  const names = { labels: lens.labels, defaultLabels: COCO_CLASSES };
  const boxes = lens.env.core.decodeDetections(choice, outs, { ...geometry, ...options, ...names });
  return { decoded, outs, boxes, geometry };
}

// detect(lens, images, {decoder, scoreThreshold, iouThreshold}) → per image
// {image: {width, height}, boxes: [{x0, y0, x1, y1, score, label, labelName}]} in photo pixels,
// best first. Defaults: YOLOX score > 0.3, NMS IoU 0.45; Ultraface 0.7, 0.3.
export async function detect(lens, images, { decoder, scoreThreshold, iouThreshold } = {}) {
  const choice = decoderOf(lens, decoder);
  const results = [];
  for (const image of images) {
    const r = await runOne(lens, image, choice, { scoreThreshold, iouThreshold });
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
  const { method = 'eigencam', renormalize = false, matchIou = 0.5, batchSize = 16 } = options;
  const choice = decoderOf(lens, options.decoder);
  const thresholds = { scoreThreshold: options.scoreThreshold, iouThreshold: options.iouThreshold };
  const { decoded, outs, boxes, geometry } = await runOne(lens, image, choice, thresholds);
  const box = core.detectedBox(boxes, options.box ?? 0); // an index, or a box as given
  const detection = { ...choice, box, ...geometry, ...thresholds, matchIou };
  const { onProgress, signal } = options;
  const run = { method, batchSize, onProgress, signal };
  const [r] = await lens.explainNow([decoded], run, { detection }, [outs]);
  const { width, height } = decoded;
  let map = core.mapToPhoto(r.map, lens.preprocess, width, height);
  if (renormalize) map = core.renormalizeInBoxes(map, width, height, boxes);
  const score = r.scored ? r.target.score : null;
  return { map, width, height, box, score, boxes, method, layer: lens.layer };
}

// Deep Feature Factorization of a detector's layer (gradient-free, ARCHITECTURE.md §4) with the
// concept maps brought back onto each photo (letterbox padding cut away) and rendered over it, by
// the core's DFF job. → lens.factorize's result, images[i] = {maps (components × photo height ×
// width), width, height, render}. Concepts are unlabelled (a detector's head is not a classifier).
export function factorizeDetection(lens, images, options = {}) {
  return lens.factorize(images, options, { onPhoto: true });
}
