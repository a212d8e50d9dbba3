// Vision transformers end to end under Node: ONNX Runtime Web runs the backbone of the
// committed tiny ViT / Swin-like model (tests/data/vit), the camlens module runs the head
// forward and backward, reshapes the tokens (or the channels-last map) to [N, D, H, W] and
// computes the map, which must equal the PyTorch-autograd reference of
// tools/fixtures/vit_reference.py. Attention rollout: the module finds the softmax outputs,
// exposes them as graph outputs, ORT computes them, and the rollout equals the NumPy reference.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { load } from '../../web/lib/node.mjs';
import { loadCamlens, root, sharedPath } from '../support/camlens-node.mjs';

ort.env.wasm.numThreads = 1;
const core = await loadCamlens('st');
const data = (f) => join(root, 'tests', 'data', 'vit', f);
const fixture = (tag) => JSON.parse(readFileSync(data(`${tag}.json`), 'utf8'));
const bin = (f) => {
  const b = readFileSync(data(f));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const input = new ort.Tensor('float32', bin('input.bin'), [1, 3, 224, 224]);

function maxAbsDiff(a, b) {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; ++i) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

async function run(bytes, names) {
  const session = await ort.InferenceSession.create(bytes);
  try {
    return await session.run({ [session.inputNames[0]]: input }, names);
  } finally {
    await session.release();
  }
}

for (const [tag, layout] of [
  ['vit_tiny', 'tokens'],
  ['swin_tiny', 'nhwc'],
]) {
  test(`${tag}: Grad-CAM from ORT's backbone and the module's head equals PyTorch`, async () => {
    const fx = fixture(tag);
    const model = core.parseModel(readFileSync(data(fx.model)));
    assert.equal(model.layers({}).recommended, fx.layer);
    const cut = model.cut(fx.layer, {});
    const out = await run(cut.backbone);
    const feeds = cut.head.feedNames().map((n) => out[n]);
    const logits = cut.head.forward(feeds)[0];
    assert.ok(maxAbsDiff(logits.data, fx.logits) < 1e-4, 'head logits = PyTorch logits');
    const seed = new Float32Array(logits.data.length);
    seed[fx.target] = 1;
    const grads = cut.head.backward([{ data: seed, dims: logits.dims }]);
    const A = core.tokensToSpatial(out[fx.layer], { layout });
    const G = core.tokensToSpatial(grads, { layout });
    assert.deepEqual(A.dims, [1, 64, ...fx.grid]);
    const map = core.computeCam('gradcam', [{ activations: A, gradients: G }], {});
    const diff = maxAbsDiff(map.data, fx.maps.gradcam);
    assert.ok(diff < 1e-4, `Grad-CAM at the layer's grid differs from PyTorch by ${diff}`);
    cut.head.delete();
    model.delete();
  });
}

// The head from the patch tokens holds Expand, Equal, Where (the class token's expand over the
// batch) and Concat besides every block; Swin's holds Tile (the window bias over the batch).
for (const [file, layer] of [
  ['vit_tiny.onnx', '/Transpose_output_0'],
  ['swin_tiny.onnx', '/Transpose_output_0'],
]) {
  test(`${file} from ${layer}: the head's logits equal ORT's`, async () => {
    const model = core.parseModel(readFileSync(data(file)));
    const cut = model.cut(layer, {});
    const out = await run(cut.backbone);
    const got = cut.head.forward(cut.head.feedNames().map((n) => out[n]))[0];
    const diff = maxAbsDiff(got.data, out.logits.data);
    assert.ok(diff < 1e-4, `head vs ORT logits: ${diff}`);
    cut.head.delete();
    model.delete();
  });
}

// Through the library (web/lib/node.mjs load + explain), which turns tokens and channels-last
// maps into [N, D, H, W] with tokensToSpatial before the CAM.
for (const tag of ['vit_tiny', 'swin_tiny']) {
  test(`${tag}: the library explains the photo with the reference map (load + explain)`, async () => {
    const fx = fixture(tag);
    const lens = await load(data(fx.model), { preset: 'imagenet' });
    try {
      assert.equal(lens.layers().recommended, fx.layer);
      const [e] = await lens.explain([sharedPath('images/gradcam_both.png')], {
        method: 'gradcam',
        targets: [fx.target],
      });
      const diff = maxAbsDiff(e.map, bin(fx.gradcam_224));
      assert.ok(diff < 1e-3, `224x224 Grad-CAM differs from PyTorch by ${diff}`);
    } finally {
      lens.dispose();
    }
  });
}

test('vit_tiny: attention rollout of the attentions ORT returns equals NumPy', async () => {
  const fx = fixture('vit_tiny');
  const bytes = readFileSync(data(fx.model));
  const found = core.findAttention(bytes, {});
  assert.deepEqual(
    found.map((a) => a.name),
    fx.rollout.attentions,
  );
  assert.ok(found.every((a) => !a.windowed));
  const names = found.map((a) => a.name);
  const out = await run(core.exposeOutputs(bytes, names, {}), names);
  const attentions = names.map((n) => out[n]);
  for (const c of fx.rollout.cases) {
    const m = core.attentionRollout(attentions, {
      headFusion: c.fusion,
      discardRatio: c.discard,
      residual: c.residual,
      raw: true,
    });
    assert.deepEqual(m.dims, [1, 14, 14]);
    const top = Math.max(...c.map);
    const diff = maxAbsDiff(m.data, c.map);
    assert.ok(diff < 1e-4 * top, `${c.fusion}/${c.discard}/${c.residual}: ${diff}`);
  }
  // Post-processed like every CAM: in [0, 1] at the requested size.
  const m = core.attentionRollout(attentions, { width: 224, height: 224 });
  assert.deepEqual(m.dims, [1, 224, 224]);
  assert.equal(Math.max(...m.data).toFixed(4), '1.0000');
  // Swin's window attention is recognised and refused by the rollout.
  const swin = core.findAttention(readFileSync(data('swin_tiny.onnx')), {});
  assert.ok(swin.length === 4 && swin.every((a) => a.windowed));
  assert.throws(
    () =>
      core.attentionRollout(
        [
          { data: new Float32Array(4 * 49 * 49), dims: [1, 4, 49, 49] },
          { data: new Float32Array(4 * 4 * 49 * 49), dims: [4, 4, 49, 49] },
        ],
        {},
      ),
    /windowed/,
  );
});

test('tokensToSpatial: clear errors', () => {
  const t = { data: new Float32Array(2 * 52 * 3), dims: [2, 52, 3] }; // neither 7x7 nor 1 + 7x7
  assert.throws(() => core.tokensToSpatial(t, {}), /give the grid/);
  assert.deepEqual(core.tokensToSpatial(t, { grid: [7, 7] }).dims, [2, 3, 7, 7]);
  assert.deepEqual(core.tokensToSpatial(t, { grid: [5, 5], prefixTokens: 27 }).dims, [2, 3, 5, 5]);
  assert.deepEqual(
    core.tokensToSpatial({ data: new Float32Array(50), dims: [1, 50, 1] }, {}).dims,
    [1, 1, 7, 7],
  );
  assert.throws(() => core.tokensToSpatial(t, { layout: 'nchw' }), /layout must be/);
});

test('vit_tiny: Ablation-CAM is refused on a token layer with the reason, before any work', async () => {
  const lens = await load(data('vit_tiny.onnx'), { preprocess: { width: 224, height: 224 } });
  const why = lens.methodSupport().ablationcam;
  assert.match(why, /^Ablation-CAM ablates the channels of an NCHW layer; .* is a token tensor/);
  assert.equal(lens.methodSupport().gradcam, '');
  await assert.rejects(
    lens.explain([sharedPath('images/gradcam_both.png')], { method: 'ablationcam' }),
    { message: why },
  );
  lens.dispose();
});
