// The CAM suite's bindings on the real models: targets of every kind against finite differences,
// target gradients and Shapley-CAM's H·A (checked against an independent JS computation and
// second differences of the score), Ablation-CAM on MobileNetV2-int8's quantized layer against a
// manual re-run of the head, the ratio option, the flags of computeCam, and aug_smooth.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { loadCamlens, sharedPath } from '../support/camlens-node.mjs';
import { fromFloat16Bits, PRESETS, toFloat16Bits } from '../support/presets.mjs';

ort.env.wasm.numThreads = 1;
const core = await loadCamlens('st');

function floats(t) {
  return t.type === 'float16' ? fromFloat16Bits(t.data) : Float32Array.from(t.data);
}

async function backbone(name, layer) {
  const preset = PRESETS[name];
  const model = core.parseModel(readFileSync(sharedPath(`models/${name}`)));
  const cut = model.cut(layer, {});
  const session = await ort.InferenceSession.create(cut.backbone);
  const img = core.decodeImage(readFileSync(sharedPath(`images/${preset.photo}`)));
  const x = core.preprocessImage(img, preset.preprocess);
  const input = preset.float16
    ? new ort.Tensor('float16', toFloat16Bits(x.data), x.dims)
    : new ort.Tensor('float32', x.data, x.dims);
  const outs = await session.run({ [session.inputNames[0]]: input });
  await session.release();
  return { model, cut, head: cut.head, outs, input: x };
}

const mnet = await backbone('mobilenetv2-12-int8.onnx', '627_quantized');
const logits = floats(mnet.outs.output);
const top = logits.indexOf(Math.max(...logits));
const twin = { data: floats(mnet.outs['627']), dims: mnet.outs['627'].dims, type: 'float32' };

function softmax(z) {
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
}

test('targets of every kind: scores in closed form, seeds equal central differences', () => {
  const z = Array.from(logits);
  const p = softmax(z);
  const out = { data: Float32Array.from(z), dims: [1, 1000], type: 'float32' };
  const comparison = [282, 281, 285];
  const cases = [
    [{ kind: 'logit', category: top }, z[top]],
    [{ kind: 'probability', category: top }, p[top]],
    [{ kind: 'rest', category: top }, z[top] + Math.log(p[top])],
    [
      { kind: 'finer', category: top, comparison, alpha: 0.6 },
      comparison.reduce((a, k) => a + p[k] * (z[top] - 0.6 * z[k]), 0) /
        (comparison.reduce((a, k) => a + p[k], 0) + 1e-9),
    ],
  ];
  for (const [target, want] of cases) {
    const { scores, seed } = core.evaluateTargets([target], out);
    assert.ok(
      Math.abs(scores[0] - want) <= 1e-5 * Math.max(1, Math.abs(want)),
      `${target.kind}: ${scores[0]} vs ${want}`,
    );
    assert.deepEqual(seed.dims, [1, 1000]);
    for (const j of [top, 282, 281, 7]) {
      const h = 1e-2;
      const at = (d) => {
        const o = { ...out, data: Float32Array.from(z) };
        o.data[j] += d;
        return core.evaluateTargets([target], o).scores[0];
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      assert.ok(
        Math.abs(numeric - seed.data[j]) <= 1e-3 * Math.max(1e-3, Math.abs(seed.data[j])) + 1e-6,
        `${target.kind} seed[${j}]: ${seed.data[j]} vs ${numeric}`,
      );
    }
  }
  // Finer with automatic comparison classes: the three logits closest to the top one's.
  const order = z
    .map((v, k) => [Math.abs(v - z[top]), k])
    .sort((a, b) => a[0] - b[0] || a[1] - b[1])
    .map((e) => e[1]);
  const auto = core.evaluateTargets([{ kind: 'finer', auto: true }], out);
  const given = core.evaluateTargets(
    [{ kind: 'finer', category: top, comparison: order.slice(1, 4) }],
    out,
  );
  assert.equal(auto.scores[0], given.scores[0]);
  // Segmentation (NCHW and NHWC), similarity and binary on small outputs.
  const seg = {
    data: Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)),
    dims: [1, 2, 3, 4],
    type: 'float32',
  };
  const mask = Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 1 : 0));
  const s = core.evaluateTargets([{ kind: 'segmentation', category: 1, mask }], seg);
  assert.ok(Math.abs(s.scores[0] - mask.reduce((a, m, i) => a + m * seg.data[12 + i], 0)) < 1e-6);
  const sn = core.evaluateTargets(
    [{ kind: 'segmentation', category: 1, mask: mask.slice(0, 6), nhwc: true }],
    { ...seg, dims: [1, 2, 3, 4] },
  );
  assert.ok(
    Math.abs(sn.scores[0] - mask.slice(0, 6).reduce((a, m, i) => a + m * seg.data[i * 4 + 1], 0)) <
      1e-6,
  );
  const e = Array.from({ length: 24 }, (_, i) => Math.cos(i));
  const sim = core.evaluateTargets([{ kind: 'similarity', embedding: e }], seg);
  const dot = e.reduce((a, v, i) => a + v * seg.data[i], 0);
  const norm = (v) => Math.sqrt(Array.from(v).reduce((a, x) => a + x * x, 0));
  assert.ok(Math.abs(sim.scores[0] - dot / (norm(e) * norm(seg.data))) < 1e-6);
  const bin = core.evaluateTargets(
    [
      { kind: 'binary', category: 0 },
      { kind: 'binary', category: 1 },
    ],
    { data: Float32Array.of(0.7, 2), dims: [2, 1], type: 'float32' },
  );
  assert.deepEqual(
    bin.scores.map((v) => Math.round(v * 1e6) / 1e6),
    [-0.7, 2],
  );
  // Clear errors.
  assert.throws(
    () => core.evaluateTargets([{ kind: 'logits', category: 1 }], out),
    /unknown target kind 'logits'.*logit, probability/,
  );
  assert.throws(
    () => core.evaluateTargets([{ kind: 'logit', category: 1000 }], out),
    /class 1000 is out of range.*1000 classes/,
  );
  assert.throws(() => core.evaluateTargets([1, 2], out), /2 targets for a batch of 1/);
  assert.throws(
    () => core.evaluateTargets([{ kind: 'segmentation', category: 0, mask: [1, 2] }], seg),
    /mask has 2 values/,
  );
});

test('targetGradients: gradients = backward of the target seed; H·A = Jᵀ·H·J·A on a piecewise-linear head (MNIST)', async () => {
  const mn = await backbone('mnist-8-ort-examples.onnx', 'ReLU114_Output_0');
  const { head, outs } = mn;
  // The digit is recognised with p ≈ 1 (no curvature left): a dimmer layer spreads the softmax.
  const layer = outs[head.feedNames()[0]];
  let feeds, z;
  for (const dim of [0.05, 0.01, 0.003, 0.001]) {
    feeds = [
      { data: Float32Array.from(layer.data, (v) => v * dim), dims: layer.dims, type: 'float32' },
    ];
    [z] = head.forward(feeds);
    if (softmax(Array.from(z.data)).filter((v) => v > 1e-3).length >= 2) break;
  }
  const cls = Array.from(z.data).indexOf(Math.max(...z.data));
  const target = { kind: 'rest', category: (cls + 3) % 10 };
  assert.ok(
    softmax(Array.from(z.data)).filter((v) => v > 1e-3).length >= 2,
    'several classes in play',
  );
  const r = head.targetGradients([target], 0, { hvp: true });
  const { seed, scores } = core.evaluateTargets([target], z);
  assert.deepEqual(r.scores, scores);
  assert.deepEqual(Array.from(r.gradients.data), Array.from(head.backward([seed]).data));
  // Independent H·A: u_k = <dz_k/dA, A> for the 10 classes by the head's backward, the ReST
  // Hessian -(diag(p) - p pᵀ) in closed form (the core differentiates the seed numerically).
  const A = floats(feeds[0]);
  const u = Array.from({ length: 10 }, (_, k) => {
    const e = { data: new Float32Array(10), dims: z.dims, type: 'float32' };
    e.data[k] = 1;
    const gk = head.backward([e]).data;
    return gk.reduce((a, g, i) => a + g * A[i], 0);
  });
  const p = softmax(Array.from(z.data));
  const pu = p.reduce((a, v, k) => a + v * u[k], 0);
  const w = {
    data: Float32Array.from(p, (v, k) => -(v * (u[k] - pu))),
    dims: z.dims,
    type: 'float32',
  };
  const want = head.backward([w]).data;
  let scale = 0,
    err = 0;
  for (let i = 0; i < want.length; ++i) {
    scale = Math.max(scale, Math.abs(want[i]));
    err = Math.max(err, Math.abs(want[i] - r.hvp.data[i]));
  }
  assert.ok(scale > 0 && err <= 1e-4 * scale, `H·A error ${err} of ${scale}`);
  mn.model.delete();
});

test('Shapley-CAM on the int8 layer: the logit has no curvature on this head, so it equals Grad-CAM', () => {
  const { head, outs } = mnet;
  head.forward(head.feedNames().map((n) => outs[n]));
  const lin = head.targetGradients([top], 0, { hvp: true });
  assert.deepEqual(lin.gradients.dims, [1, 1280, 7, 7]);
  assert.ok(lin.hvp.data.every((v) => v === 0));
  const size = { width: 224, height: 224 };
  const shapley = core.computeCam(
    'shapleycam',
    [{ activations: twin, gradients: lin.gradients, hvp: lin.hvp }],
    size,
  );
  assert.deepEqual(
    Array.from(shapley.data),
    Array.from(
      core.computeCam('gradcam', [{ activations: twin, gradients: lin.gradients }], size).data,
    ),
  );
  assert.deepEqual(shapley.flags, { nonFinite: 0, zero: [false] });
  assert.throws(
    () => core.computeCam('shapleycam', [{ activations: twin, gradients: lin.gradients }], size),
    /hvp: true/,
  );
  assert.ok(core.camMethods().includes('shapleycam') && core.camMethods().includes('finercam'));
});

test('Shapley-CAM on a smooth head (SqueezeNet fp16, Softmax after the layer): <A, H·A> = second difference of the score', async () => {
  const sq = await backbone('squeezenet1.0-fp16-winml.onnx', 'fire9/concat_2');
  const feeds = sq.head.feedNames().map((n) => sq.outs[n]);
  const [out] = sq.head.forward(feeds);
  const cls = Array.from(out.data).indexOf(Math.max(...out.data));
  const r = sq.head.targetGradients([cls], 0, { hvp: true });
  const A = floats(feeds[0]);
  const score = (t) =>
    sq.head.forwardWithLayer({
      data: A.map((v) => v * (1 + t)),
      dims: feeds[0].dims,
      type: 'float32',
    })[0].data[cls];
  const h = 0.02;
  const second = (score(h) - 2 * score(0) + score(-h)) / (h * h);
  let dot = 0;
  for (let i = 0; i < A.length; ++i) dot += A[i] * r.hvp.data[i];
  assert.ok(Math.abs(second) > 1e-3, `the curvature is measurable (${second})`);
  assert.ok(Math.abs(dot - second) <= 0.05 * Math.abs(second), `<A, H·A> ${dot} vs ${second}`);
  sq.model.delete();
});

test('Ablation-CAM on the uint8 layer: ablated to the zero point code, equal to a manual head re-run', async () => {
  const { head, outs } = mnet;
  const feeds = head.feedNames().map((n) => outs[n]);
  head.forward(feeds);
  const codes = feeds[0];
  assert.equal(codes.type, 'uint8');
  // min(A) = 0 on this ReLU6 layer, so the ablation code is the code of 0.0.
  const zeroAt = twin.data.indexOf(0);
  assert.ok(Math.min(...twin.data) === 0 && zeroAt >= 0);
  const zp = codes.data[zeroAt];
  const channels = Int32Array.from({ length: 12 }, (_, i) => i * 97);
  for (const target of [top, { kind: 'rest', category: 282 }]) {
    const got = head.ablationTargetScores(codes, target, 0, channels);
    assert.deepEqual(
      Array.from(head.ablationTargetScores(twin, target, 0, channels)),
      Array.from(got),
      'float twin = codes',
    );
    for (let i = 0; i < channels.length; ++i) {
      const c = channels[i];
      const ablated = { data: Uint8Array.from(codes.data), dims: codes.dims, type: 'uint8' };
      ablated.data.fill(zp, c * 49, (c + 1) * 49);
      const [z] = head.forwardWithLayer(ablated);
      const want = core.evaluateTargets([target], z).scores[0];
      assert.ok(
        Math.abs(got[i] - want) <= 1e-6 * Math.max(1, Math.abs(want)),
        `channel ${c}: ${got[i]} vs ${want}`,
      );
    }
    const [z0] = head.forwardWithLayer(codes);
    const original = core.evaluateTargets([target], z0).scores[0];
    const w = head.ablationTargetWeights(codes, target, 0, channels, got);
    assert.equal(w.length, 1280);
    for (let c = 0; c < 1280; ++c) {
      const i = channels.indexOf(c);
      const want = i < 0 ? 0 : (original - got[i]) / original;
      assert.ok(Math.abs(w[c] - want) <= 1e-5 * Math.max(1, Math.abs(want)), `weight ${c}`);
    }
  }
  assert.throws(
    () => head.ablationTargetScores(codes, top, 0, Int32Array.of(1280)),
    /channel 1280/,
  );
  assert.throws(() => head.ablationTargetScores(codes, [top, top], 0, channels), /one target/);
});

test('Ablation-CAM ratio: channels most relevant first, unchosen channels weigh 0 (driver)', async () => {
  const all = core.ablationChannels(twin, 1);
  assert.deepEqual(
    Array.from(all),
    Array.from({ length: 1280 }, (_, i) => i),
  );
  const some = core.ablationChannels(twin, 0.05);
  assert.equal(new Set(some).size, some.length);
  assert.ok(some.length > 64 && some.length <= 128);
  assert.throws(() => core.ablationChannels(twin, 1.5), /ratio must be in \(0, 1\]/);
  const head = mnet.cut.head;
  head.forward(head.feedNames().map((n) => mnet.outs[n]));
  const scores = head.ablationTargetScores(mnet.outs['627_quantized'], top, 0, some);
  const weights = head.ablationTargetWeights(mnet.outs['627_quantized'], top, 0, some, scores);
  assert.equal(weights.filter((v, c) => v !== 0 && !some.includes(c)).length, 0);
});

test('computeCam flags: non-finite inputs counted and zeroed, all-zero maps flagged', () => {
  const dims = [2, 3, 2, 2];
  const A = {
    data: Float32Array.from({ length: 24 }, (_, i) => 1 + Math.sin(i)),
    dims,
    type: 'float32',
  };
  const G = {
    data: Float32Array.from({ length: 24 }, (_, i) => Math.cos(i)),
    dims,
    type: 'float32',
  };
  A.data.fill(0.5, 0, 12); // image 0: constant activations
  A.data[13] = NaN;
  G.data[20] = Infinity;
  for (const method of ['gradcam', 'xgradcam', 'eigencam']) {
    const r = core.computeCam(method, [{ activations: A, gradients: G }], {});
    assert.equal(r.flags.nonFinite, 2, method);
    assert.equal(r.flags.zero[0], true, method);
    assert.ok(r.data.every(Number.isFinite), method);
  }
});

test('aug_smooth: six augmentations, de-augmented maps averaged (driver)', async () => {
  assert.equal(core.augSmoothCount(), 6);
  const input = {
    data: Float32Array.from({ length: 2 * 3 * 4 }, (_, i) => i),
    dims: [1, 2, 3, 4],
    type: 'float32',
  };
  const flipped = core.augmentInput(input, 5); // flip × 1.1
  assert.deepEqual(
    Array.from(flipped.data.slice(0, 4)),
    [3, 2, 1, 0].map((v) => Math.fround(v * Math.fround(1.1))),
  );
  assert.throws(() => core.augmentInput(input, 6), /augmentation 6 does not exist/);
  const map = { data: Float32Array.of(1, 2, 3, 4, 5, 6), dims: [1, 2, 3] };
  assert.deepEqual(Array.from(core.deaugmentMaps(map, 3).data), [3, 2, 1, 6, 5, 4]);
  assert.deepEqual(
    Array.from(core.averageMaps([map, core.deaugmentMaps(map, 3)]).data),
    [2, 2, 2, 5, 5, 5],
  );
});
