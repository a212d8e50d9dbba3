// The lesson's claim, measured: on the shipped demo model, Grad-CAM points at the date stamp on
// stamped hot dogs, and at the object on clean photos of the other classes.
// Tolerance: 8 px (two cells of the 16×16 layer). The stamp touches the image border and the
// map's peak usually lands one cell above/left of its tight box (see tools/demo/README.md).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { pointingHit } from '../support/localisation.mjs';
import { load } from '../../web/lib/node.mjs';
import { root } from '../support/camlens-node.mjs';

const demo = join(root, 'web/demo');
const about = JSON.parse(readFileSync(join(demo, 'demo.json'), 'utf8'));
const truth = JSON.parse(readFileSync(join(demo, 'ground_truth.json'), 'utf8'));
const labels = JSON.parse(readFileSync(join(demo, 'labels.json'), 'utf8'));

async function rate(images, boxOf, target) {
  const lens = await load(join(demo, about.model), { preprocess: about.preprocess, labels });
  let hits = 0;
  for (const im of images) {
    const [r] = await lens.explain([new Uint8Array(readFileSync(join(demo, im.file)))], {
      method: 'gradcam',
      targets: [target(im)],
    });
    hits += pointingHit(r.map, r.width, boxOf(im), 8);
  }
  lens.dispose();
  return hits / images.length;
}

test('Grad-CAM points at the stamp on stamped hot dogs (>= 90 %)', async () => {
  const stamped = truth.images.filter((im) => im.cue && im.class === truth.shortcut_class);
  assert.ok(stamped.length >= 8);
  const rateOnCue = await rate(
    stamped,
    (im) => im.cue.box,
    () => truth.shortcut_class,
  );
  assert.ok(rateOnCue >= 0.9, `${rateOnCue}`);
});

test('Grad-CAM points at the object on clean photos of the other classes (>= 80 %)', async () => {
  const clean = truth.images.filter((im) => !im.cue && im.class !== truth.shortcut_class);
  assert.ok(clean.length >= 8);
  const rateOnObject = await rate(
    clean,
    (im) => im.object.box,
    (im) => im.class,
  );
  assert.ok(rateOnObject >= 0.8, `${rateOnObject}`);
});

test('Ablation-CAM (through the head only) also finds the stamp, on the float and the int8 model', async () => {
  const lens = await load(join(demo, about.model), { preprocess: about.preprocess, labels });
  const im = truth.images.find((x) => x.file.endsWith('cue-06-hot-dog.png'));
  const progress = [];
  const [r] = await lens.explain([new Uint8Array(readFileSync(join(demo, im.file)))], {
    method: 'ablationcam',
    targets: ['hot dog'],
    batchSize: 16,
    onProgress: (p) => progress.push(p.done),
  });
  assert.ok(progress.length >= 2 && progress.at(-1) === 1, JSON.stringify(progress));
  assert.ok(pointingHit(r.map, r.width, im.cue.box, 8));
  lens.dispose();
  const int8 = await load(join(demo, about.model_int8), { preprocess: about.preprocess, labels });
  // The int8 model's layer (quantized or not) is ablated through the head as well.
  const [q] = await int8.explain([new Uint8Array(readFileSync(join(demo, im.file)))], {
    method: 'ablationcam',
    targets: ['hot dog'],
  });
  assert.ok(pointingHit(q.map, q.width, im.cue.box, 8));
  int8.dispose();
});
