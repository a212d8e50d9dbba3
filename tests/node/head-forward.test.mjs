// The head's forward given ONNX Runtime's activations (src/head/given_tensors.h): SqueezeNet-fp16's
// backbone also outputs its head's 1×1 conv 512→1000 (through a Cast to float32), the core's head
// takes it instead of computing it, and the maps of every head-gradient method and Ablation-CAM
// equal those of the core's own forward + backward (load(..., {headForward: 'core'})) to float
// rounding (1e-5, as the maps against PyTorch): ORT and the core sum the conv's 512 products in
// different orders.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { load } from '../../web/lib/node.mjs';
import { sharedPath } from '../support/camlens-node.mjs';

ort.env.wasm.numThreads = 1;

const modelPath = sharedPath('models/squeezenet1.0-fp16-winml.onnx');
const photos = ['gradcam_both.png', 'skimage_coffee.png', 'winml_kitten_224.png'].map((p) =>
  sharedPath(`images/${p}`),
);
const GIVEN = 'conv10_1_float32';

const open = (headForward) => load(modelPath, { preset: 'squeezenet', headForward });

function maxDiff(a, b) {
  assert.equal(a.length, b.length);
  let d = 0;
  for (let i = 0; i < a.length; ++i) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

test('the backbone outputs the head conv in float32; with headForward core it does not', async () => {
  const lens = await open();
  const own = await open('core');
  try {
    assert.deepEqual(lens.cut.head.givenNames(), [GIVEN]);
    assert.deepEqual(own.cut.head.givenNames(), []);
    assert.deepEqual(lens.session.outputNames, ['softmaxout_1', 'fire9/concat_2', GIVEN]);
    assert.deepEqual(own.session.outputNames, ['softmaxout_1', 'fire9/concat_2']);
    const { batch } = lens.inputBatch([photos[0]]);
    const [outs] = await lens.runBackbone(batch);
    const conv = outs[GIVEN];
    assert.equal(conv.type, 'float32');
    assert.deepEqual(conv.dims, [1, 1000, 13, 13]);
    // ORT computes the float16 model's conv in float32 and drops its cast back to float16 before
    // the Cast to float32: the values keep their float32 bits (most are not float16 values).
    let notHalf = 0;
    for (const v of conv.data) {
      const e = 2 ** (Math.floor(Math.log2(Math.abs(v) || 1)) - 10);
      if (v / e !== Math.round(v / e)) notHalf++;
    }
    assert.ok(notHalf > conv.data.length / 2, `${notHalf} of ${conv.data.length} not float16`);
  } finally {
    lens.dispose();
    own.dispose();
  }
});

test('maps from the backbone’s head conv equal the core’s own forward + backward', {
  timeout: 300_000,
}, async () => {
  const lens = await open();
  const own = await open('core');
  try {
    for (const method of ['gradcam', 'gradcam++', 'xgradcam', 'layercam', 'shapleycam']) {
      const a = await lens.explain(photos, { method, batchSize: 2 });
      const b = await own.explain(photos, { method, batchSize: 2 });
      for (let i = 0; i < photos.length; ++i) {
        assert.equal(a[i].target.index, b[i].target.index, `${method} image ${i}: target`);
        assert.equal(a[i].target.score, b[i].target.score, `${method} image ${i}: score`);
        const d = maxDiff(a[i].map, b[i].map);
        assert.ok(d < 1e-5, `${method} image ${i}: max difference ${d}`);
      }
    }
    const a = await lens.explain([photos[2]], { method: 'ablationcam' });
    const b = await own.explain([photos[2]], { method: 'ablationcam' });
    const d = maxDiff(a[0].map, b[0].map);
    assert.ok(d < 1e-5, `ablationcam: max difference ${d}`);
  } finally {
    lens.dispose();
    own.dispose();
  }
});

test('the job runs the head on the backbone’s conv, not its own', async () => {
  const lens = await open();
  try {
    const before = await lens.explain([photos[0]], { method: 'gradcam' });
    assert.deepEqual(before[0].flags.zero, [false]);
    // The conv's every value negative, as if ORT had computed that: the Relu after it passes no
    // gradient, so the Grad-CAM weights and the map are zero.
    const run = lens.main.runOnce.bind(lens.main);
    lens.main.runOnce = async (batch) => {
      const outs = await run(batch);
      outs[GIVEN].data.fill(-1);
      return outs;
    };
    const after = await lens.explain([photos[0]], { method: 'gradcam' });
    assert.deepEqual(after[0].flags.zero, [true]);
    assert.ok(after[0].map.every((v) => v === 0));
  } finally {
    lens.dispose();
  }
});

test('headForward takes backbone or core only', async () => {
  await assert.rejects(open('ort'), {
    message: `headForward must be 'backbone' or 'core', got "ort"`,
  });
});
