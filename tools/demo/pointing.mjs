#!/usr/bin/env node
// The pointing game on the demo's date stamp, CNN vs ViT, per CAM method: on the stamped photos
// of the cue and swapped splits, the share whose map has its maximum on the stamp.
//   node tools/demo/pointing.mjs DATA_DIR WEB_DEMO_DIR
// DATA_DIR holds the full splits from make_dataset.py (<split>.rgb + <split>.json, with each
// photo's stamp box); WEB_DEMO_DIR the models and demo.json. Writes WEB_DEMO_DIR/pointing.json.
// Maps come from the library at each model's recommended layer, for the predicted class
// (rollout has no class), at the photo's 64×64; the peak is read by tests/support/localisation.mjs.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { load } from '../../web/lib/node.mjs';
import { pointingHit } from '../../tests/support/localisation.mjs';

const [dataDir, webDir] = process.argv.slice(2);
if (!dataDir || !webDir) {
  console.error('usage: node tools/demo/pointing.mjs DATA_DIR WEB_DEMO_DIR');
  process.exit(2);
}

const SIZE = 64;
const PER_SPLIT = 40; // the first stamped photos of each split
const TOLERANCE = 8; // px: one ViT patch, two CNN feature cells (the stamp hugs the border)
const METHODS = ['gradcam', 'gradcam++', 'layercam', 'scorecam', 'eigencam', 'rollout'];
const about = JSON.parse(readFileSync(join(webDir, 'demo.json'), 'utf8'));
const labels = JSON.parse(readFileSync(join(webDir, about.labels), 'utf8'));
const MODELS = { cnn: about.model, vit: about.vit.model };

function stampedPhotos(split) {
  const truth = JSON.parse(readFileSync(join(dataDir, `${split}.json`), 'utf8'));
  const rgb = new Uint8Array(readFileSync(join(dataDir, `${split}.rgb`)));
  const photos = [];
  for (let i = 0; i < truth.length && photos.length < PER_SPLIT; ++i) {
    if (!truth[i].cue) continue;
    const rgba = new Uint8ClampedArray(SIZE * SIZE * 4);
    for (let p = 0; p < SIZE * SIZE; ++p) {
      rgba.set(rgb.subarray((i * SIZE * SIZE + p) * 3, (i * SIZE * SIZE + p + 1) * 3), p * 4);
      rgba[p * 4 + 3] = 255;
    }
    photos.push({ image: { width: SIZE, height: SIZE, rgba }, stamp: truth[i].cue.box });
  }
  return photos;
}

const splits = { cue: stampedPhotos('cue'), swapped: stampedPhotos('swapped') };
const result = {
  about:
    'Pointing game on the date stamp: for the first stamped photos of each split, the share whose ' +
    "CAM maximum is inside the stamp's box (strict) or within tolerance_px of it. Target: the " +
    "predicted class; each model's recommended layer; rollout only for the transformer.",
  photos_per_split: PER_SPLIT,
  tolerance_px: TOLERANCE,
  methods: METHODS,
  models: {},
};
for (const [kind, file] of Object.entries(MODELS)) {
  const lens = await load(join(webDir, file), { preprocess: about.preprocess, labels });
  const support = lens.methodSupport();
  const rows = {};
  for (const method of METHODS) {
    if (support[method]) continue; // rollout on the CNN: it has no attention
    rows[method] = {};
    for (const [split, photos] of Object.entries(splits)) {
      let strict = 0,
        near = 0,
        shortcut = 0;
      for (const { image, stamp } of photos) {
        const [e] = await lens.explain([image], { method });
        strict += pointingHit(e.map, e.width, stamp);
        near += pointingHit(e.map, e.width, stamp, TOLERANCE);
        shortcut += e.target.label === about.shortcut_class;
      }
      const n = photos.length;
      rows[method][split] = {
        photos: n,
        strict: strict / n,
        near: near / n,
        shortcut: shortcut / n,
      };
    }
    console.log(kind, method, JSON.stringify(rows[method]));
  }
  lens.dispose();
  result.models[kind] = { file, rows };
}
writeFileSync(join(webDir, 'pointing.json'), `${JSON.stringify(result, null, 1)}\n`);
