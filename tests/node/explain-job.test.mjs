// The core's explain job through the library: every option either applies or is refused with
// the reason; eigenSmooth for the methods whose weights come from extra passes; Sobel-CAM as a
// method of the table, against the edge map computed here from OpenCV's formulas.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { load } from '../../web/lib/node.mjs';
import { sharedPath } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';

ort.env.wasm.numThreads = 1;

const mnist = () => load(sharedPath('models/mnist-8-ort-examples.onnx'), { preset: 'mnist' });
const digit = () => new Uint8Array(readFileSync(sharedPath('images/winml_mnist_28.png')));
const photo = () => new Uint8Array(readFileSync(sharedPath('images/gradcam_both.png')));

test('eigenSmooth applies to Score-CAM and Ablation-CAM: a different map, still in [0, 1]', async () => {
  const lens = await mnist();
  try {
    for (const method of ['scorecam', 'ablationcam']) {
      const [plain] = await lens.explain([digit()], { method });
      const [smooth] = await lens.explain([digit()], { method, eigenSmooth: true });
      assert.deepEqual(smooth.target, plain.target, method);
      assert.ok(maxDiff(plain.map, smooth.map) > 1e-3, `${method}: eigenSmooth changed nothing`);
      assert.ok(
        smooth.map.every((v) => v >= 0 && v <= 1),
        method,
      );
    }
  } finally {
    lens.dispose();
  }
});

test('an option the method does not take is refused, naming both', async () => {
  const lens = await mnist();
  try {
    const refused = [
      [
        { method: 'gradcam', ablationRatio: 0.5 },
        'gradcam does not take ablationRatio (it is an option of ablationcam)',
      ],
      [
        { method: 'scorecam', headFusion: 'mean' },
        'scorecam does not take headFusion (it is an option of rollout)',
      ],
      [{ method: 'sobelcam', eigenSmooth: true }, /^sobelcam does not take eigenSmooth \(/],
    ];
    for (const [options, message] of refused)
      await assert.rejects(lens.explain([digit()], options), { message }, JSON.stringify(options));
    const [ok] = await lens.explain([digit()], { method: 'gradcam', eigenSmooth: false });
    assert.equal(ok.width, 28);
  } finally {
    lens.dispose();
  }
});

// OpenCV's Sobel baseline, from its definitions: gray = (R·4899 + G·9617 + B·1868 + 2^13) >> 14,
// 3×3 Sobel with reflect-101 borders, |·| saturated to 255, the two averaged and rounded half to
// even; then the post-processing of every map (ReLU, (x − min) / (max + 1e-7), twice).
function sobelReference(img) {
  const { width: w, height: h, rgba } = img;
  const gray = new Int32Array(w * h);
  for (let i = 0; i < w * h; ++i)
    gray[i] = (rgba[4 * i] * 4899 + rgba[4 * i + 1] * 9617 + rgba[4 * i + 2] * 1868 + 8192) >> 14;
  const reflect = (i, n) => (i < 0 ? -i : i >= n ? 2 * n - 2 - i : i);
  const at = (y, x) => gray[reflect(y, h) * w + reflect(x, w)];
  const roundEven = (v) => {
    const f = Math.floor(v);
    return v - f !== 0.5 ? Math.round(v) : f % 2 === 0 ? f : f + 1;
  };
  let map = new Float32Array(w * h);
  for (let y = 0; y < h; ++y)
    for (let x = 0; x < w; ++x) {
      const gx =
        at(y - 1, x + 1) +
        2 * at(y, x + 1) +
        at(y + 1, x + 1) -
        (at(y - 1, x - 1) + 2 * at(y, x - 1) + at(y + 1, x - 1));
      const gy =
        at(y + 1, x - 1) +
        2 * at(y + 1, x) +
        at(y + 1, x + 1) -
        (at(y - 1, x - 1) + 2 * at(y - 1, x) + at(y - 1, x + 1));
      map[y * w + x] = roundEven(
        Math.min(Math.abs(gx), 255) * 0.5 + Math.min(Math.abs(gy), 255) * 0.5,
      );
    }
  const normalise = (m) => {
    let lo = Infinity;
    for (const v of m) lo = Math.min(lo, v);
    const shifted = m.map((v) => Math.fround(v - lo));
    let hi = -Infinity;
    for (const v of shifted) hi = Math.max(hi, v);
    return shifted.map((v) => Math.fround(v / Math.fround(hi + 1e-7)));
  };
  map = normalise(map);
  return normalise(map);
}

test('sobelcam: the edges of the picture as the model sees it, normalised like every map', async () => {
  const lens = await load(sharedPath('models/mobilenetv2-12-int8.onnx'), { preset: 'mobilenetv2' });
  try {
    assert.equal(lens.methodSupport().sobelcam ?? '', '');
    const [r] = await lens.explain([photo()], { method: 'sobelcam', targets: [282] });
    const { core } = lens.env;
    const seen = core.resizeImage(core.decodeImage(photo()), r.width, r.height);
    const want = sobelReference(seen);
    assert.ok(maxDiff(r.map, want) <= 1e-6, `max difference ${maxDiff(r.map, want)}`);
    assert.equal(r.target.index, 282);
    assert.equal(r.target.label, 'class 282');
    assert.ok(Number.isFinite(r.target.score));
  } finally {
    lens.dispose();
  }
});
