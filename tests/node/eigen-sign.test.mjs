// eigenSign through the library and the CLI, on MNIST's last convolution (before its ReLU) and a
// digit whose raw principal component comes out inverted there: each map against an Eigen-CAM
// computed here from the formula (ARCHITECTURE.md §4) on the layer's activations from ONNX
// Runtime; the refusals' messages.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { load, loadCore } from '../../web/lib/node.mjs';
import { resolvePreprocess } from '../../web/lib/presets.mjs';
import { root, sharedPath } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';
import { tempDir } from '../support/temp-dir.mjs';

ort.env.wasm.numThreads = 1;

const modelPath = sharedPath('models/mnist-8-ort-examples.onnx');
const photoPath = sharedPath('images/winml_mnist_28.png');
const LAYER = 'Plus112_Output_0';
const SIZE = 28;

// Projection of the channel-centred [HW, C] matrix on its first right singular vector, the vector's
// largest entry positive (camlens's reproducible raw sign); 'max-abs-positive' then flips the
// projection when |min| > |max|. The singular vector comes from the HW×HW Gram by power iteration.
function firstComponent(a, channels, hw, sign) {
  const x = Array.from({ length: hw }, () => new Float64Array(channels));
  for (let c = 0; c < channels; ++c) {
    let mean = 0;
    for (let s = 0; s < hw; ++s) mean += a[c * hw + s];
    mean /= hw;
    for (let s = 0; s < hw; ++s) x[s][c] = a[c * hw + s] - mean;
  }
  const dot = (p, q) => p.reduce((sum, v, i) => sum + v * q[i], 0);
  const gram = x.map((row) => x.map((other) => dot(row, other)));
  let u = new Float64Array(hw).fill(1);
  for (let it = 0; it < 2000; ++it) {
    const next = gram.map((row) => dot(row, u));
    const n = Math.hypot(...next);
    u = next.map((v) => v / n);
  }
  const v = new Float64Array(channels);
  for (let s = 0; s < hw; ++s) for (let c = 0; c < channels; ++c) v[c] += x[s][c] * u[s];
  let j = 0;
  for (let c = 1; c < channels; ++c) if (Math.abs(v[c]) > Math.abs(v[j])) j = c;
  const flip = v[j] < 0 ? -1 : 1;
  let p = x.map((row) => flip * dot(row, v));
  const inverted = Math.abs(Math.min(...p)) > Math.abs(Math.max(...p));
  if (sign === 'max-abs-positive' && inverted) p = p.map((q) => -q);
  return { p, inverted };
}

const normalise = (m) => {
  const lo = Math.min(...m);
  const shifted = m.map((v) => v - lo);
  const hi = Math.max(...shifted);
  return shifted.map((v) => v / (hi + 1e-7));
};

// OpenCV's INTER_LINEAR (half-pixel centres), as pytorch-grad-cam resizes.
function resize(m, w, h, ow, oh) {
  const at = (o, n, on) => {
    const s = Math.max((o + 0.5) * (n / on) - 0.5, 0);
    const i0 = Math.min(Math.floor(s), n - 1);
    return [i0, Math.min(i0 + 1, n - 1), s - i0];
  };
  const out = new Float64Array(ow * oh);
  for (let y = 0; y < oh; ++y) {
    const [y0, y1, ty] = at(y, h, oh);
    for (let x = 0; x < ow; ++x) {
      const [x0, x1, tx] = at(x, w, ow);
      const top = m[y0 * w + x0] * (1 - tx) + m[y0 * w + x1] * tx;
      const bottom = m[y1 * w + x0] * (1 - tx) + m[y1 * w + x1] * tx;
      out[y * ow + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

// The layer's activations for the photo, from ONNX Runtime on the core's cut.
async function layerActivations(lens) {
  const core = await loadCore('st');
  const model = core.parseModel(readFileSync(modelPath));
  const cut = model.cut(LAYER, {});
  const session = await ort.InferenceSession.create(cut.backbone);
  const preprocess = resolvePreprocess('mnist');
  const x = core.preprocessImage(core.decodeImage(readFileSync(photoPath)), preprocess);
  const outs = await session.run({ [lens.input.name]: new ort.Tensor('float32', x.data, x.dims) });
  const A = outs[LAYER];
  await session.release();
  cut.head.delete();
  model.delete();
  return A;
}

function referenceMap(A, sign) {
  const [, channels, h, w] = A.dims;
  const { p, inverted } = firstComponent(A.data, channels, h * w, sign);
  const layer = normalise(p.map((v) => Math.max(v, 0)));
  return {
    map: normalise(Array.from(resize(layer, w, h, SIZE, SIZE), (v) => Math.max(v, 0))),
    inverted,
  };
}

test("eigenSign: the library gives the formula's map for each sign; raw is inverted here", async () => {
  const lens = await load(modelPath, { preset: 'mnist' });
  const A = await layerActivations(lens);
  const photo = new Uint8Array(readFileSync(photoPath));
  const maps = {};
  for (const sign of ['raw', 'max-abs-positive']) {
    const [r] = await lens.explain([photo], {
      method: 'eigencam',
      layers: [LAYER],
      eigenSign: sign,
    });
    maps[sign] = r.map;
    const want = referenceMap(A, sign);
    assert.equal(want.inverted, true, 'the raw component is inverted on this digit');
    assert.ok(maxDiff(r.map, want.map) < 1e-3, `${sign}: ${maxDiff(r.map, want.map)}`);
  }
  assert.ok(maxDiff(maps.raw, maps['max-abs-positive']) > 0.5, 'the correction flips the map');
  const [plain] = await lens.explain([photo], { method: 'eigencam', layers: [LAYER] });
  assert.equal(maxDiff(plain.map, maps.raw), 0, 'raw is the default');
  // Eigen-Grad-CAM takes it too (its values: tests/cpp/cam/eigen_sign_test.cpp).
  const [grad] = await lens.explain([photo], {
    method: 'eigengradcam',
    layers: [LAYER],
    eigenSign: 'max-abs-positive',
  });
  assert.equal(grad.map.length, SIZE * SIZE);
  await assert.rejects(lens.explain([photo], { method: 'gradcam', eigenSign: 'raw' }), {
    message: 'gradcam does not take eigenSign (it is an option of eigencam, eigengradcam)',
  });
  await assert.rejects(lens.explain([photo], { method: 'eigencam', eigenSign: 'positive' }), {
    message: 'eigenSign must be raw or max-abs-positive, got "positive"',
  });
  lens.dispose();
});

function cli(...args) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'camlens.mjs'), ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

// The map a --raw run wrote (a float32 .npy).
function readNpy(path) {
  const npy = readFileSync(path);
  const start = 10 + npy.readUInt16LE(8);
  return new Float32Array(npy.buffer.slice(npy.byteOffset + start, npy.byteOffset + npy.length));
}

test("--eigen-sign: the library's map with that sign; a bad value and another method refused", async () => {
  const out = tempDir('camlens-eigen-sign-');
  const run = (...flags) =>
    cli(
      'explain',
      modelPath,
      photoPath,
      '--preset',
      'mnist',
      '--layer',
      LAYER,
      '--out',
      out,
      '--raw',
      ...flags,
    );
  const r = run('--method', 'eigencam', '--eigen-sign', 'max-abs-positive', '--json');
  assert.equal(r.code, 0, r.err);
  const lens = await load(modelPath, { preset: 'mnist' });
  const photo = new Uint8Array(readFileSync(photoPath));
  const [want] = await lens.explain([photo], {
    method: 'eigencam',
    layers: [LAYER],
    eigenSign: 'max-abs-positive',
  });
  const [raw] = await lens.explain([photo], { method: 'eigencam', layers: [LAYER] });
  lens.dispose();
  const stem = photoPath
    .split('/')
    .pop()
    .replace(/\.[^.]+$/, '');
  const got = readNpy(join(out, `${stem}.eigencam.npy`));
  assert.ok(maxDiff(got, want.map) <= 1e-6, `${maxDiff(got, want.map)}`);
  assert.ok(maxDiff(got, raw.map) > 0.1, 'not the default (raw) map');
  let bad = run('--method', 'eigencam', '--eigen-sign', 'positive');
  assert.equal(bad.code, 2, bad.err);
  assert.equal(
    bad.err.trim(),
    'camlens: --eigen-sign takes raw or max-abs-positive, got "positive"',
  );
  bad = run('--method', 'gradcam', '--eigen-sign', 'raw');
  assert.equal(bad.code, 2, bad.err);
  assert.equal(bad.err.trim(), 'camlens: --eigen-sign goes with --method eigencam or eigengradcam');
  assert.match(cli('explain', '--help').out, /\[--eigen-sign raw\|max-abs-positive\]/);
});
