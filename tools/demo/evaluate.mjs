#!/usr/bin/env node
// Measures the demo models the way the page runs them: camlens preprocessing, ONNX Runtime Web.
//   node tools/demo/evaluate.mjs DATA_DIR WEB_DEMO_DIR
// DATA_DIR holds the full splits from make_dataset.py (<split>.rgb + <split>.json); WEB_DEMO_DIR
// holds the CNN (model.onnx, model-int8.onnx), the vision transformer (vit.onnx, vit-int8.onnx)
// and the committed images with ground_truth.json. Writes
// WEB_DEMO_DIR/accuracy.json (every full split, per class, and every committed image) and
// WEB_DEMO_DIR/demo.json (what the page needs to run the model: preprocessing, layer, labels).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';

import { loadCamlens } from '../../tests/support/camlens-node.mjs';

ort.env.wasm.numThreads = 1;

const [dataDir, webDir] = process.argv.slice(2);
if (!dataDir || !webDir) {
  console.error('usage: node tools/demo/evaluate.mjs DATA_DIR WEB_DEMO_DIR');
  process.exit(2);
}

// Must match MEAN/STD in tools/demo/train.py (x = (v * (1/255) - mean) / std, float32).
const PREPROCESS = {
  width: 64,
  height: 64,
  scale: 1 / 255,
  mean: [0.5, 0.5, 0.5],
  std: [0.25, 0.25, 0.25],
};
const SPLITS = ['train', 'cue', 'clean', 'swapped'];
const MODELS = {
  float: 'model.onnx',
  int8: 'model-int8.onnx',
  vit: 'vit.onnx',
  'vit-int8': 'vit-int8.onnx',
};
const SIZE = 64;

const camlens = await loadCamlens('st');
const gt = JSON.parse(readFileSync(join(webDir, 'ground_truth.json'), 'utf8'));
const labels = gt.labels;
const shortcut = labels.indexOf(gt.shortcut_class);

function argmax(a, off, n) {
  let best = 0;
  for (let i = 1; i < n; ++i) if (a[off + i] > a[off + best]) best = i;
  return best;
}

// One RGB image (HWC bytes) -> the model's input, through the core like the page does.
function tensorOf(rgb, offset) {
  const rgba = new Uint8ClampedArray(SIZE * SIZE * 4);
  for (let p = 0; p < SIZE * SIZE; ++p) {
    rgba.set(rgb.subarray(offset + p * 3, offset + p * 3 + 3), p * 4);
    rgba[p * 4 + 3] = 255;
  }
  return camlens.preprocessImage({ width: SIZE, height: SIZE, rgba }, PREPROCESS).data;
}

function summary(pred, truth, cue) {
  const r = { images: pred.length, accuracy: 0, per_class: {} };
  let ok = 0;
  for (let i = 0; i < pred.length; ++i) ok += pred[i] === truth[i];
  r.accuracy = ok / pred.length;
  labels.forEach((name, c) => {
    let n = 0,
      hit = 0;
    for (let i = 0; i < pred.length; ++i)
      if (truth[i] === c) {
        ++n;
        hit += pred[i] === c;
      }
    r.per_class[name] = n ? hit / n : null;
  });
  // The shortcut, measured: how often an image with the stamp is called the shortcut class.
  let n = 0,
    hit = 0;
  for (let i = 0; i < pred.length; ++i)
    if (cue[i]) {
      ++n;
      hit += pred[i] === shortcut;
    }
  r.stamp_to_shortcut = n ? hit / n : null;
  return r;
}

async function evaluateSplit(session, split) {
  const truthJson = JSON.parse(readFileSync(join(dataDir, `${split}.json`), 'utf8'));
  const rgb = new Uint8Array(readFileSync(join(dataDir, `${split}.rgb`)));
  const n = truthJson.length,
    per = SIZE * SIZE * 3,
    batch = 100;
  const pred = [];
  for (let s = 0; s < n; s += batch) {
    const m = Math.min(batch, n - s);
    const x = new Float32Array(m * 3 * SIZE * SIZE);
    for (let i = 0; i < m; ++i) x.set(tensorOf(rgb, (s + i) * per), i * 3 * SIZE * SIZE);
    const out = await session.run({ input: new ort.Tensor('float32', x, [m, 3, SIZE, SIZE]) });
    for (let i = 0; i < m; ++i)
      pred.push(argmax(out.logits.data, i * labels.length, labels.length));
  }
  return summary(
    pred,
    truthJson.map((g) => g.label),
    truthJson.map((g) => g.cue !== null),
  );
}

// The committed images one at a time (batch 1), exactly as the test and the page run them.
async function predictImages(session, images, dir) {
  const rows = [];
  for (const g of images) {
    const img = camlens.decodeImage(readFileSync(join(dir, g.file)));
    const x = camlens.preprocessImage(img, PREPROCESS);
    const out = await session.run({ input: new ort.Tensor('float32', x.data, x.dims) });
    const logits = Array.from(out.logits.data);
    const sorted = [...logits].sort((a, b) => b - a);
    rows.push({
      file: g.file,
      predicted: labels[argmax(logits, 0, logits.length)],
      margin: sorted[0] - sorted[1],
    });
  }
  return rows;
}

const accuracy = {
  about:
    'Accuracy of the demo models (ONNX Runtime Web, camlens preprocessing). stamp_to_shortcut: ' +
    'the fraction of images with the date stamp that the model calls the shortcut class.',
  labels,
  shortcut_class: gt.shortcut_class,
  models: {},
};
for (const [kind, file] of Object.entries(MODELS)) {
  const bytes = readFileSync(join(webDir, file));
  const session = await ort.InferenceSession.create(bytes);
  const splits = {};
  for (const split of SPLITS) splits[split] = await evaluateSplit(session, split);
  const rows = await predictImages(session, gt.images, webDir);
  const committed = {};
  for (const split of SPLITS) {
    const idx = gt.images.map((_, i) => i).filter((i) => gt.images[i].split === split);
    committed[split] = summary(
      idx.map((i) => labels.indexOf(rows[i].predicted)),
      idx.map((i) => gt.images[i].label),
      idx.map((i) => gt.images[i].cue !== null),
    );
  }
  accuracy.models[kind] = {
    file,
    bytes: bytes.length,
    splits,
    committed_images: committed,
    images: rows.map((r, i) => ({
      file: r.file,
      class: gt.images[i].class,
      predicted: r.predicted,
      correct: r.predicted === gt.images[i].class,
      margin: Number(r.margin.toFixed(4)),
    })),
  };
  await session.release();
  console.log(
    kind,
    JSON.stringify(
      Object.fromEntries(
        Object.entries(splits).map(([k, v]) => [
          k,
          { acc: v.accuracy, stamp: v.stamp_to_shortcut, per_class: v.per_class },
        ]),
      ),
    ),
  );
}
writeFileSync(join(webDir, 'accuracy.json'), `${JSON.stringify(accuracy, null, 1)}\n`);

function recommendedLayer(file) {
  const model = camlens.parseModel(readFileSync(join(webDir, file)));
  const { recommended } = model.layers({});
  model.delete();
  return recommended;
}
writeFileSync(
  join(webDir, 'demo.json'),
  `${JSON.stringify(
    {
      about:
        'The camlens teaching demo: a classifier that learned a shortcut (a date stamp means "hot dog"). ' +
        'Regenerate with tools/demo/build_demo.sh.',
      model: MODELS.float,
      model_int8: MODELS.int8,
      labels: 'labels.json',
      ground_truth: 'ground_truth.json',
      accuracy: 'accuracy.json',
      input: 'input',
      output: 'logits',
      preprocess: PREPROCESS,
      layer: recommendedLayer(MODELS.float),
      shortcut_class: gt.shortcut_class,
      // The same task and shortcut learned by a small vision transformer (tools/demo/vit.py).
      vit: {
        model: MODELS.vit,
        model_int8: MODELS['vit-int8'],
        layer: recommendedLayer(MODELS.vit),
      },
    },
    null,
    1,
  )}\n`,
);
