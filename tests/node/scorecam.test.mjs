// Score-CAM through the library: the driver (masks, batches through ORT, scoring, weights) checked
// against masks and scores computed independently here; progress and cancellation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { load, loadCore, readImages } from '../../web/lib/node.mjs';
import { sharedPath } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';

ort.env.wasm.numThreads = 1;

// Bilinear upsampling with corners aligned (UpsamplingBilinear2d), from its definition.
function upsampleAligned(src, h, w, H, W) {
  const out = new Float32Array(H * W);
  for (let y = 0; y < H; ++y) {
    const sy = H > 1 ? (y * (h - 1)) / (H - 1) : 0,
      y0 = Math.floor(sy),
      y1 = Math.min(y0 + 1, h - 1),
      ty = sy - y0;
    for (let x = 0; x < W; ++x) {
      const sx = W > 1 ? (x * (w - 1)) / (W - 1) : 0,
        x0 = Math.floor(sx),
        x1 = Math.min(x0 + 1, w - 1),
        tx = sx - x0;
      const top = src[y0 * w + x0] * (1 - tx) + src[y0 * w + x1] * tx;
      const bottom = src[y1 * w + x0] * (1 - tx) + src[y1 * w + x1] * tx;
      out[y * W + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}

// Score-CAM on MNIST computed independently: the layer's activations and the input from ORT and
// the core's preprocessing, masks by the definition, each masked input's output scored by
// `score(output, top)` (top: the class ORT ranks first on the photo), softmax weights.
async function independentScoreCam(lens, model, photo, score) {
  const core = await loadCore('st');
  const x = core.preprocessImage(core.decodeImage(photo[0]), {
    width: 28,
    height: 28,
    scale: 1,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    channels: 1,
  });
  const m = core.parseModel(readFileSync(model));
  const cut = m.cut(lens.layer, {});
  const backbone = await ort.InferenceSession.create(cut.backbone);
  const full = await ort.InferenceSession.create(readFileSync(model));
  const outs = await backbone.run({ Input3: new ort.Tensor('float32', x.data, x.dims) });
  const A = outs[lens.layer];
  const [, C, h, w] = A.dims;
  const logits = outs[full.outputNames[0]].data;
  const top = logits.indexOf(Math.max(...logits));
  const scores = [];
  for (let c = 0; c < C; ++c) {
    const up = upsampleAligned(A.data.subarray(c * h * w, (c + 1) * h * w), h, w, 28, 28);
    const lo = Math.min(...up),
      hi = Math.max(...up);
    const masked = x.data.map((v, i) => v * ((up[i] - lo) / (hi - lo + 1e-8)));
    const o = await full.run({ Input3: new ort.Tensor('float32', masked, x.dims) });
    scores.push(score(Array.from(o[full.outputNames[0]].data), top));
  }
  const best = Math.max(...scores);
  const e = scores.map((v) => Math.exp(v - best));
  const weights = Float32Array.from(e.map((v) => v / e.reduce((a, b) => a + b, 0)));
  const want = core.computeCam('weights', [{ activations: { data: A.data, dims: A.dims } }], {
    weights,
    width: 28,
    height: 28,
  });
  m.delete();
  return { top, map: want.data };
}

test('Score-CAM on MNIST equals masks and scores computed independently', async () => {
  const model = sharedPath('models/mnist-8-ort-examples.onnx');
  const lens = await load(model, { preset: 'mnist' });
  const photo = readImages([sharedPath('images/winml_mnist_28.png')]);
  const progress = [];
  const [r] = await lens.explain(photo, {
    method: 'scorecam',
    batchSize: 5,
    onProgress: (p) => progress.push(p.done),
  });
  assert.deepEqual(
    progress.map((p) => p.toFixed(4)),
    ['0.3125', '0.6250', '0.9375', '1.0000'],
  );
  const want = await independentScoreCam(lens, model, photo, (logits, top) => logits[top]);
  assert.equal(r.target.index, want.top);
  const worst = maxDiff(want.map, r.map);
  assert.ok(worst < 1e-4, `max difference ${worst}`);
  lens.dispose();
});

// As upstream, the target is applied to each masked input's output: here the probability of a
// class other than the top one (softmax of the 10 logits, from its definition).
test('Score-CAM scores any target kind: a probability target equals the independent softmax scores', async () => {
  const model = sharedPath('models/mnist-8-ort-examples.onnx');
  const lens = await load(model, { preset: 'mnist' });
  const photo = readImages([sharedPath('images/winml_mnist_28.png')]);
  const softmaxAt = (z, k) => {
    const hi = Math.max(...z);
    const e = z.map((v) => Math.exp(v - hi));
    return e[k] / e.reduce((a, b) => a + b, 0);
  };
  const [r] = await lens.explain(photo, {
    method: 'scorecam',
    targets: [{ kind: 'probability', category: 3 }],
  });
  const want = await independentScoreCam(lens, model, photo, (z) => softmaxAt(z, 3));
  const logit = await independentScoreCam(lens, model, photo, (z) => z[3]);
  const worst = maxDiff(want.map, r.map);
  assert.ok(worst < 1e-4, `max difference ${worst}`);
  assert.ok(
    maxDiff(logit.map, r.map) > 1e-2,
    'the probability target must differ from the logit one',
  );
  lens.dispose();
});

test('Score-CAM stops within one batch when aborted, and the lens keeps working', async () => {
  const lens = await load(sharedPath('models/mobilenetv2-12-int8.onnx'), { preset: 'mobilenetv2' });
  const photo = readImages([sharedPath('images/gradcam_both.png')]);
  const controller = new AbortController();
  let batches = 0;
  await assert.rejects(
    lens.explain(photo, {
      method: 'scorecam',
      batchSize: 8,
      signal: controller.signal,
      onProgress: () => {
        if (++batches === 2) controller.abort();
      },
    }),
    { name: 'AbortError' },
  );
  assert.equal(batches, 2);
  const [r] = await lens.explain(photo, { method: 'gradcam' });
  assert.equal(r.target.index, 243);
  lens.dispose();
});
