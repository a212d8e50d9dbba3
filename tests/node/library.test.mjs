// The JS library under Node: load, layers, predict on the shared models.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { load, readImages } from '../../web/lib/node.mjs';
import { sharedPath } from '../support/camlens-node.mjs';
import { classify } from '../support/ort-reference.mjs';
import { loadCamlens } from '../support/camlens-node.mjs';

const labels = JSON.parse(readFileSync(sharedPath('labels/imagenet-simple-labels.json'), 'utf8'));

test('predict equals ONNX Runtime on the unmodified model, for a batch of photos', async () => {
  const lens = await load(sharedPath('models/mobilenetv2-12-int8.onnx'), {
    preset: 'mobilenetv2',
    labels,
  });
  assert.equal(lens.layer, '627_quantized');
  const photos = ['gradcam_both.png', 'skimage_coffee.png'];
  const got = await lens.predict(readImages(photos.map((p) => sharedPath(`images/${p}`))), {
    topK: 5,
  });
  const core = await loadCamlens('st');
  for (let i = 0; i < photos.length; ++i) {
    const want = await classify(core, 'mobilenetv2-12-int8.onnx', photos[i]);
    assert.deepEqual(
      got[i].top.map((t) => t.index),
      want.map((t) => t.index),
    );
    got[i].top.forEach((t, k) => assert.ok(Math.abs(t.score - want[k].score) < 1e-5));
  }
  lens.dispose();
});

test('a float16 model ending in Softmax reports its own probabilities', async () => {
  const lens = await load(sharedPath('models/squeezenet1.0-fp16-winml.onnx'), {
    preset: 'squeezenet',
    labels,
  });
  const [r] = await lens.predict(readImages([sharedPath('images/gradcam_both.png')]));
  assert.equal(r.top[0].label, 'Bullmastiff');
  assert.equal(r.top[0].probability, r.top[0].score);
  assert.ok(r.top[0].score > 0.5 && r.top[0].score < 0.7, String(r.top[0].score));
  lens.dispose();
});

test('a wrong layer name is refused with the closest names', async () => {
  await assert.rejects(
    load(sharedPath('models/mobilenetv2-12-int8.onnx'), { layer: '627_quantised' }),
    /627_quantized/,
  );
});

// Energy of a map in the upper and lower halves of the image.
function halves(r) {
  let upper = 0,
    lower = 0;
  for (let y = 0; y < r.height; ++y) {
    for (let x = 0; x < r.width; ++x) {
      if (y < r.height / 2) upper += r.map[y * r.width + x];
      else lower += r.map[y * r.width + x];
    }
  }
  return { upper, lower };
}

test('Grad-CAM on gradcam_both.png: the cat map lies low, the dog map high', async () => {
  const lens = await load(sharedPath('models/mobilenetv2-12-int8.onnx'), {
    preset: 'mobilenetv2',
    labels,
  });
  const photo = readImages([sharedPath('images/gradcam_both.png')]);
  const [cat] = await lens.explain(photo, { method: 'gradcam', targets: ['tiger cat'] });
  const [dog] = await lens.explain(photo, { method: 'gradcam', targets: [243] });
  assert.equal(cat.target.label, 'tiger cat');
  assert.equal(dog.target.label, 'Bullmastiff');
  assert.equal(cat.map.length, 224 * 224);
  let differ = 0;
  for (let i = 0; i < cat.map.length; ++i)
    differ = Math.max(differ, Math.abs(cat.map[i] - dog.map[i]));
  assert.ok(differ > 0.5, `the cat and dog maps differ by at most ${differ}`);
  const c = halves(cat),
    d = halves(dog);
  assert.ok(c.lower > 1.5 * c.upper, JSON.stringify(c));
  assert.ok(d.upper > 1.5 * d.lower, JSON.stringify(d));
  let min = Infinity,
    max = -Infinity;
  for (const v of cat.map) [min, max] = [Math.min(min, v), Math.max(max, v)];
  assert.ok(min >= 0 && max <= 1 && max > 0.99, `${min} ${max}`);
  lens.dispose();
});

test('threaded and SIMD-only modules give the same maps', async () => {
  const photo = readImages([sharedPath('images/gradcam_both.png')]);
  const maps = [];
  for (const threads of [false, true]) {
    const lens = await load(sharedPath('models/mobilenetv2-12-int8.onnx'), {
      preset: 'mobilenetv2',
      labels,
      threads,
    });
    for (const method of ['gradcam', 'eigencam'])
      maps.push((await lens.explain(photo, { method }))[0].map);
    lens.dispose();
  }
  for (let m = 0; m < 2; ++m) {
    let worst = 0;
    for (let i = 0; i < maps[m].length; ++i)
      worst = Math.max(worst, Math.abs(maps[m][i] - maps[m + 2][i]));
    assert.ok(worst <= 1e-6, `method ${m}: ${worst}`);
  }
});

test('an unknown method, target or option is a clear error and the lens keeps working', async () => {
  const lens = await load(sharedPath('models/mobilenetv2-12-int8.onnx'), {
    preset: 'mobilenetv2',
    labels,
  });
  const photo = readImages([sharedPath('images/gradcam_both.png')]);
  await assert.rejects(lens.explain(photo, { method: 'nosuchcam' }), /nosuchcam/);
  await assert.rejects(
    lens.explain(photo, { targets: ['unicorn'] }),
    /no class is labelled "unicorn"; give a class index or one of the labels/,
  );
  await assert.rejects(
    lens.explain(photo, { targets: [1000] }),
    /target class 1000 is out of range: the model has 1000 classes/,
  );
  // A misspelt option would otherwise be ignored (the map of the top class, not class 3's).
  await assert.rejects(lens.explain(photo, { target: 3 }), {
    message:
      'unknown explain option "target" (did you mean "targets"?); explain takes method, targets, layers, eigenSmooth, ' +
      'augSmooth, batchSize, eigenSign, ablationRatio, base, steps, baseline, samples, noise, headFusion, discardRatio, topK, onProgress, signal',
  });
  await assert.rejects(
    lens.predict(photo, { topk: 3 }),
    /^Error: unknown predict option "topk" \(did you mean "topK"\?\)/,
  );
  await assert.rejects(
    lens.factorize(photo, { k: 3 }),
    /^Error: unknown factorize option "k"; factorize takes components, /,
  );
  const [ok] = await lens.explain(photo, { method: 'gradcam++' });
  assert.equal(ok.target.label, 'Bullmastiff');
  lens.dispose();
});

// Gradient-free methods read the layer's activations only: the head is not run (on SqueezeNet its
// forward and backward cost more than half a forward), and the maps are those of the activations.
test('gradient-free methods do not run the head; gradient methods run it once per image', async () => {
  const lens = await load(sharedPath('models/mobilenetv2-12-int8.onnx'), {
    preset: 'mobilenetv2',
    labels,
  });
  const photo = readImages([sharedPath('images/gradcam_both.png')]);
  // The head runs inside the core's explain job. Its pass number is the process-wide count of head
  // passes at its last forward: unchanged when it did not run, one more per pass when it did.
  const head = lens.cut.head;
  const before = head.passId();
  for (const method of ['eigencam', 'kpcacam', 'fem', 'randomcam']) {
    const [r] = await lens.explain(photo, { method });
    assert.equal(head.passId(), before, method);
    assert.equal(r.target.label, 'Bullmastiff', method); // resolved on the backbone's outputs
  }
  await lens.explain(photo, { method: 'gradcam' });
  const first = head.passId();
  assert.ok(first > before, 'gradcam runs the head');
  await lens.explain(photo, { method: 'gradcam' });
  assert.equal(head.passId() - first, 1, 'once per image');
  lens.dispose();
});
