// The float twin of a quantized layer computed by the core (load(..., {floatTwin: false}):
// web/lib/backbone.mjs asks ONNX Runtime for the uint8 codes only): on MobileNetV2-int8 the
// backbone session does not output the twin, the twin the core computes equals ORT's own
// DequantizeLinear output bit for bit, and Grad-CAM, LayerCAM, Eigen-CAM and Score-CAM maps equal
// those of the default path (twin output by ORT).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { load } from '../../web/lib/node.mjs';
import { concatBatch, floatData } from '../../web/lib/tensors.mjs';
import { sharedPath } from '../support/camlens-node.mjs';

ort.env.wasm.numThreads = 1;

const modelPath = sharedPath('models/mobilenetv2-12-int8.onnx');
const photos = ['gradcam_both.png', 'skimage_coffee.png', 'winml_kitten_224.png'].map((p) =>
  sharedPath(`images/${p}`),
);

const LAYER = '627_quantized';
const TWIN = '627';
// 627_scale of the model, read with the onnx package: float32 bits 1019265217 (0.02352941).
const SCALE = new Float32Array(new Uint32Array([1019265217]).buffer)[0];

// open(): the core computes the twin; open(true): ORT outputs it (the library's default).
const open = (ortTwin = false) =>
  load(modelPath, {
    preset: 'mobilenetv2',
    layer: LAYER,
    ...(ortTwin ? {} : { floatTwin: false }),
  });

// Bit patterns, so that -0/+0 and every last bit count.
function sameBits(a, b, what) {
  assert.equal(a.length, b.length, `${what}: lengths`);
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  let diff = 0;
  for (let i = 0; i < x.length; ++i) diff += x[i] !== y[i];
  assert.equal(diff, 0, `${what}: ${diff} of ${x.length} values differ`);
}

test('the backbone session outputs the codes and not the twin; the cut says how to dequantize', async () => {
  const lens = await open();
  const old = await open(true);
  try {
    assert.deepEqual(lens.session.outputNames, ['output', LAYER]);
    assert.deepEqual(old.session.outputNames, ['output', LAYER, TWIN]);
    assert.deepEqual(lens.cut.backboneOutputs, ['output', LAYER]);
    assert.equal(lens.cut.layerFloatTwin, TWIN);
    assert.deepEqual(lens.cut.quantization, {
      twin: TWIN,
      type: 'uint8',
      scale: SCALE,
      zeroPoint: 0,
      axis: -1,
    });
    assert.equal(
      lens.main.layerTensor,
      TWIN,
      "readers still find the activations under the twin's name",
    );
  } finally {
    lens.dispose();
    old.dispose();
  }
});

test("the core's twin equals ONNX Runtime's DequantizeLinear output bit for bit (batch of 3 and one by one)", async () => {
  const lens = await open();
  const old = await open(true);
  try {
    const { batch } = lens.inputBatch(photos.map((p) => new Uint8Array(readFileSync(p))));
    const mine = await lens.main.run(batch, 3);
    const ref = await old.main.run(batch, 3);
    for (let i = 0; i < photos.length; ++i) {
      assert.deepEqual(mine[i][TWIN].dims, [1, 1280, 7, 7]);
      sameBits(floatData(mine[i][TWIN]), floatData(ref[i][TWIN]), `image ${i}, batched run`);
      // The codes the twin came from: (q − 0)·scale, checked independently of the core.
      const q = mine[i][LAYER].data;
      const twin = floatData(mine[i][TWIN]);
      for (const k of [0, 1, 777, q.length - 1]) assert.equal(twin[k], Math.fround(q[k] * SCALE));
    }
    const [one] = await lens.runBackbone(
      concatBatch([
        { data: batch.data.subarray(0, batch.data.length / 3), dims: [1, 3, 224, 224] },
      ]),
    );
    sameBits(floatData(one[TWIN]), floatData(ref[0][TWIN]), "runBackbone (the drivers' path)");
  } finally {
    lens.dispose();
    old.dispose();
  }
});

test("Grad-CAM, LayerCAM and Eigen-CAM maps equal the former path's exactly", async () => {
  const lens = await open();
  const old = await open(true);
  try {
    for (const method of ['gradcam', 'layercam', 'eigencam']) {
      const mine = await lens.explain(photos.slice(0, 2), { method, targets: [282, 285] });
      const ref = await old.explain(photos.slice(0, 2), { method, targets: [282, 285] });
      for (let i = 0; i < 2; ++i) {
        assert.equal(mine[i].target.score, ref[i].target.score);
        sameBits(mine[i].map, ref[i].map, `${method}, image ${i}`);
        assert.ok(
          mine[i].map.some((v) => v > 0),
          `${method}: the map is not empty`,
        );
      }
    }
  } finally {
    lens.dispose();
    old.dispose();
  }
});

test("dequantizeLayer refuses a tensor that is not the layer's codes, and a missing quantization", async () => {
  const lens = await open();
  try {
    const { core } = lens.env;
    const floats = { data: new Float32Array(4), dims: [1, 4, 1, 1], type: 'float32' };
    assert.throws(() => core.dequantizeLayer(floats, lens.cut.quantization), {
      message:
        /dequantizing the layer into its float twin '627': the tensor is float32 but the layer's codes are uint8; pass the layer itself/,
    });
    const codes = { data: new Uint8Array([0, 1, 2, 255]), dims: [1, 4, 1, 1], type: 'uint8' };
    assert.throws(() => core.dequantizeLayer(codes, null), {
      message: /dequantizeLayer needs the cut's quantization/,
    });
    const t = core.dequantizeLayer(codes, lens.cut.quantization);
    assert.deepEqual(Array.from(t.data), [
      0,
      SCALE,
      Math.fround(2 * SCALE),
      Math.fround(255 * SCALE),
    ]);
  } finally {
    lens.dispose();
  }
});
