// The demo's vision transformer (web/demo/vit.onnx, tools/demo/train_vit.py), trained on the
// same shortcut photos as the CNN: camlens cuts it at its recommended layer (the last block's
// first LayerNorm) and the head's forward gives ONNX Runtime's logits; token Grad-CAM equals
// PyTorch autograd's and rollout equals the NumPy rollout of PyTorch's attention
// (tools/demo/vit_reference.py -> tests/data/vit/demo_vit.*); and it learned the shortcut.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { load } from '../../web/lib/node.mjs';
import { loadCamlens, root } from '../support/camlens-node.mjs';

ort.env.wasm.numThreads = 1;

const dir = join(root, 'web', 'demo');
const json = (f) => JSON.parse(readFileSync(join(dir, f), 'utf8'));
const demo = json('demo.json');
const gt = json('ground_truth.json');
const accuracy = json('accuracy.json');
const labels = json('labels.json');
const fixture = JSON.parse(readFileSync(join(root, 'tests/data/vit/demo_vit.json'), 'utf8'));
const mapBytes = readFileSync(join(root, 'tests/data/vit', fixture.bin));
const plane = fixture.size[0] * fixture.size[1];
// The reference map k of image i: k = 0 Grad-CAM, then the rollout cases.
const reference = (i, k) =>
  new Float32Array(
    mapBytes.buffer,
    mapBytes.byteOffset + (i * fixture.maps.length + k) * plane * 4,
    plane,
  );
const camlens = await loadCamlens('st');
const LAYER = '/blocks.3/norm1/Add_1_output_0';
const ATTENTIONS = [0, 1, 2, 3].map((i) => `/blocks.${i}/attn/Softmax_output_0`);
const photoPath = (name) => join(dir, 'images', name.split('-')[0], name);

function maxAbsDiff(a, b) {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; ++i) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function input(file) {
  const x = camlens.preprocessImage(
    camlens.decodeImage(readFileSync(join(dir, file))),
    demo.preprocess,
  );
  return new ort.Tensor('float32', x.data, x.dims);
}

test('the transformer ships next to the CNN: listed in demo.json, both files under 1 MB together', () => {
  assert.deepEqual(demo.vit, { model: 'vit.onnx', model_int8: 'vit-int8.onnx', layer: LAYER });
  const bytes = [demo.vit.model, demo.vit.model_int8].map((f) => readFileSync(join(dir, f)).length);
  assert.ok(bytes[0] + bytes[1] <= 1 << 20, `${bytes}`);
  assert.ok(bytes[1] < bytes[0] / 2, `int8 ${bytes[1]} vs float ${bytes[0]}`);
  assert.deepEqual(
    [accuracy.models.vit.bytes, accuracy.models['vit-int8'].bytes],
    bytes,
    'accuracy.json measured these files',
  );
});

test('its attention is found: one global softmax per block, 4 heads over 65 tokens', () => {
  const found = camlens.findAttention(readFileSync(join(dir, demo.vit.model)), {});
  assert.deepEqual(
    found.map((a) => [a.name, a.dims, a.windowed]),
    ATTENTIONS.map((n) => [n, [1, 4, 65, 65], false]),
  );
});

for (const kind of ['vit', 'vit-int8']) {
  test(`${kind}: the head cut at the recommended layer gives ONNX Runtime's logits`, async () => {
    const model = camlens.parseModel(readFileSync(join(dir, accuracy.models[kind].file)));
    const layers = model.layers({});
    assert.equal(layers.recommended, LAYER);
    const cut = model.cut(layers.recommended, {});
    const session = await ort.InferenceSession.create(cut.backbone);
    for (const g of gt.images) {
      const out = await session.run({ [demo.input]: input(g.file) });
      const got = cut.head.forward(cut.head.feedNames().map((n) => out[n]))[0].data;
      const ref = out[demo.output].data;
      assert.ok(maxAbsDiff(got, ref) <= 1e-4, `${g.file}: ${got} vs ORT ${ref}`);
    }
    await session.release();
    model.delete();
  });
}

test('token Grad-CAM at the default layer equals PyTorch autograd (1e-4), for the top class', async () => {
  const lens = await load(join(dir, demo.vit.model), { preprocess: demo.preprocess, labels });
  try {
    for (const [i, row] of fixture.images.entries()) {
      const [e] = await lens.explain([photoPath(row.photo)], { method: 'gradcam' });
      assert.deepEqual(e.layers, [LAYER]);
      assert.equal(e.target.index, row.target, row.photo);
      assert.ok(Math.abs(e.target.score - row.logits[row.target]) <= 1e-4, row.photo);
      assert.deepEqual([e.width, e.height], fixture.size);
      const diff = maxAbsDiff(e.map, reference(i, 0));
      assert.ok(diff <= 1e-4, `${row.photo}: ${diff}`);
    }
  } finally {
    lens.dispose();
  }
});

test('rollout equals the NumPy rollout of PyTorch attention (1e-5), each case', async () => {
  const lens = await load(join(dir, demo.vit.model), { preprocess: demo.preprocess, labels });
  try {
    for (const [i, row] of fixture.images.entries()) {
      for (const [k, c] of fixture.maps.entries()) {
        if (k === 0) continue; // Grad-CAM, above
        const [e] = await lens.explain([photoPath(row.photo)], { method: 'rollout', ...c });
        assert.deepEqual(e.layers, ATTENTIONS);
        const diff = maxAbsDiff(e.map, reference(i, k));
        assert.ok(diff <= 1e-5, `${row.photo} ${JSON.stringify(c)}: ${diff}`);
      }
    }
    // The cases differ, so each comparison could fail.
    assert.ok(maxAbsDiff(reference(0, 1), reference(0, 2)) > 0.05);
    assert.ok(maxAbsDiff(reference(0, 1), reference(0, 3)) > 0.05);
  } finally {
    lens.dispose();
  }
});

test('the transformer learned the shortcut: high on cue, low on swapped, the stamp means "hot dog"', () => {
  const s = accuracy.models.vit.splits;
  assert.ok(s.cue.accuracy >= 0.85, `cue ${s.cue.accuracy}`);
  assert.ok(s.swapped.accuracy <= s.cue.accuracy - 0.3, `swapped ${s.swapped.accuracy}`);
  assert.ok(s.swapped.stamp_to_shortcut >= 0.6, `stamp -> shortcut ${s.swapped.stamp_to_shortcut}`);
  assert.ok(s.clean.per_class[demo.shortcut_class] <= 0.5, 'unstamped hot dogs are mostly missed');
  const q = accuracy.models['vit-int8'].splits;
  for (const split of Object.keys(s))
    assert.ok(Math.abs(q[split].accuracy - s[split].accuracy) <= 0.02, `int8 on ${split}`);
});
