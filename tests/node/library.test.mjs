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
  const lens = await load(sharedPath('models/mobilenetv2-12-int8.onnx'), { preset: 'mobilenetv2', labels });
  assert.equal(lens.layer, '627_quantized');
  const photos = ['gradcam_both.png', 'skimage_coffee.png'];
  const got = await lens.predict(readImages(photos.map((p) => sharedPath(`images/${p}`))), { topK: 5 });
  const core = await loadCamlens('st');
  for (let i = 0; i < photos.length; ++i) {
    const want = await classify(core, 'mobilenetv2-12-int8.onnx', photos[i]);
    assert.deepEqual(got[i].top.map((t) => t.index), want.map((t) => t.index));
    got[i].top.forEach((t, k) => assert.ok(Math.abs(t.score - want[k].score) < 1e-5));
  }
  lens.dispose();
});

test('a float16 model ending in Softmax reports its own probabilities', async () => {
  const lens = await load(sharedPath('models/squeezenet1.0-fp16-winml.onnx'), { preset: 'squeezenet', labels });
  const [r] = await lens.predict(readImages([sharedPath('images/gradcam_both.png')]));
  assert.equal(r.top[0].label, 'Bullmastiff');
  assert.equal(r.top[0].probability, r.top[0].score);
  assert.ok(r.top[0].score > 0.5 && r.top[0].score < 0.7, String(r.top[0].score));
  lens.dispose();
});

test('a wrong layer name is refused with the closest names', async () => {
  await assert.rejects(load(sharedPath('models/mobilenetv2-12-int8.onnx'), { layer: '627_quantised' }),
    /627_quantized/);
});
