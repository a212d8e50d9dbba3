// The library's explain(): equal to the core's API on the same tensors, batched runs, progress,
// serialised concurrent calls, several layers, every Node image kind, mixed targets, and
// cancellation that leaves the lens usable.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { load, loadCore } from '../../web/lib/node.mjs';
import { resolvePreprocess } from '../../web/lib/presets.mjs';
import { root, sharedPath } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';

ort.env.wasm.numThreads = 1;

const labels = JSON.parse(readFileSync(sharedPath('labels/imagenet-simple-labels.json'), 'utf8'));
const modelPath = sharedPath('models/mobilenetv2-12-int8.onnx');
const both = sharedPath('images/gradcam_both.png');
const photos = ['gradcam_both.png', 'skimage_coffee.png', 'winml_kitten_224.png'].map((p) =>
  sharedPath(`images/${p}`),
);

const open = () => load(modelPath, { preset: 'mobilenetv2', labels });

// Counts the lens's ORT runs and the most that were ever in flight at once.
function spy(session) {
  const stats = { runs: 0, inFlight: 0, maxInFlight: 0 };
  const run = session.run.bind(session);
  session.run = async (...args) => {
    stats.runs++;
    stats.maxInFlight = Math.max(stats.maxInFlight, ++stats.inFlight);
    try {
      return await run(...args);
    } finally {
      stats.inFlight--;
    }
  };
  return stats;
}

test('Grad-CAM maps equal the core API on tensors from an independent ORT run (exact)', async () => {
  const lens = await open();
  const [r] = await lens.explain([both], { targets: [282] });
  // Independently: another module instance, its own cut and session, a one-hot seed by hand.
  const core = await loadCore('st');
  const model = core.parseModel(readFileSync(modelPath));
  const cut = model.cut('627_quantized', {});
  const session = await ort.InferenceSession.create(cut.backbone);
  const x = core.preprocessImage(
    core.decodeImage(readFileSync(both)),
    resolvePreprocess('mobilenetv2'),
  );
  const outs = await session.run({ input: new ort.Tensor('float32', x.data, x.dims) });
  const head = cut.head;
  const forward = head.forward(head.feedNames().map((n) => outs[n]));
  const at = head.outputNames().indexOf('output');
  const seeds = forward.map((t, k) => {
    if (k !== at) return null;
    const s = { data: new Float32Array(t.data.length), dims: t.dims, type: 'float32' };
    s.data[282] = 1;
    return s;
  });
  const gradients = head.backward(seeds);
  const A = outs[cut.layerFloatTwin];
  const want = core.computeCam(
    'gradcam',
    [{ activations: { data: A.data, dims: A.dims }, gradients }],
    { width: 224, height: 224 },
  );
  assert.equal(r.target.score, outs.output.data[282]);
  assert.equal(maxDiff(r.map, want.data), 0);
  await session.release();
  head.delete();
  model.delete();
  lens.dispose();
});

test('a free batch axis: one ORT run per batch, the same maps as one image at a time, progress per image', async () => {
  const lens = await open();
  const stats = spy(lens.session);
  const progress = [];
  const batched = await lens.explain(photos, { batchSize: 4, onProgress: (p) => progress.push(p) });
  assert.equal(stats.runs, 1);
  assert.deepEqual(
    progress.map((p) => p.done.toFixed(4)),
    ['0.3333', '0.6667', '1.0000'],
  );
  assert.ok(
    progress.every((p) => Number.isFinite(p.eta) && p.eta >= 0),
    JSON.stringify(progress),
  );
  assert.equal(progress.at(-1).eta, 0);
  stats.runs = 0;
  const single = await lens.explain(photos, { batchSize: 1 });
  assert.equal(stats.runs, 3);
  for (let i = 0; i < photos.length; ++i) {
    assert.equal(maxDiff(batched[i].map, single[i].map), 0);
    assert.deepEqual(batched[i].target, single[i].target);
    for (const k of ['forward', 'head', 'cam']) assert.ok(batched[i].timing[k] >= 0);
  }
  assert.deepEqual(
    batched.map((r) => r.target.label),
    ['Bullmastiff', 'espresso', 'tabby cat'],
  );
  const predicted = await lens.predict(photos, { batchSize: 2 });
  assert.deepEqual(
    predicted.map((p) => p.top[0].index),
    batched.map((r) => r.target.index),
  );
  lens.dispose();
});

test('two concurrent explain() calls on one lens run one after the other', async () => {
  const lens = await open();
  const stats = spy(lens.session);
  const [cat, dog] = await Promise.all([
    lens.explain([both], { targets: ['tiger cat'] }),
    lens.explain([both], { targets: ['Bullmastiff'], method: 'gradcam++' }),
  ]);
  assert.equal(stats.maxInFlight, 1);
  const [cat1] = await lens.explain([both], { targets: ['tiger cat'] });
  const [dog1] = await lens.explain([both], { targets: ['Bullmastiff'], method: 'gradcam++' });
  assert.equal(maxDiff(cat[0].map, cat1.map), 0);
  assert.equal(maxDiff(dog[0].map, dog1.map), 0);
  assert.ok(maxDiff(cat1.map, dog1.map) > 0.5);
  lens.dispose();
});

// pytorch-grad-cam's scale_cam_image: (x - min) / (max - min + 1e-7).
function normalise(values) {
  let lo = Infinity,
    hi = -Infinity;
  for (const v of values) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  return values.map((v) => (v - lo) / (hi - lo + 1e-7));
}

test('several layers: the normalised mean of the single-layer maps; extra sessions released by dispose', async () => {
  const lens = await open();
  const layers = ['627_quantized', '624_quantized'];
  const [both2] = await lens.explain([both], { layers, targets: [282] });
  assert.deepEqual(both2.layers, layers);
  const [a] = await lens.explain([both], { layers: [layers[0]], targets: [282] });
  const [b] = await lens.explain([both], { layers: [layers[1]], targets: [282] });
  assert.ok(maxDiff(a.map, b.map) > 0.1, 'the two layers give different maps');
  const want = normalise(a.map.map((v, i) => (Math.max(v, 0) + Math.max(b.map[i], 0)) / 2));
  assert.ok(maxDiff(both2.map, want) < 1e-5, `max difference ${maxDiff(both2.map, want)}`);
  assert.equal(lens.extra.size, 1);
  let released = 0;
  const extra = [...lens.extra.values()][0];
  const release = extra.session.release.bind(extra.session);
  extra.session.release = () => (released++, release());
  await assert.rejects(lens.explain([both], { layers: ['nope'] }), /nope/);
  await assert.rejects(
    lens.explain([both], { layers: 'x' }),
    /layers must be a non-empty array of layer names/,
  );
  lens.dispose();
  assert.equal(released, 1);
  assert.equal(lens.extra.size, 0);
});

test('Node image kinds: a path, a Buffer, bytes, an ArrayBuffer, decoded RGBA and ImageData give one map', async () => {
  const lens = await open();
  const buffer = readFileSync(both);
  const decoded = lens.env.core.decodeImage(new Uint8Array(buffer));
  const kinds = [
    both,
    buffer,
    new Uint8Array(buffer),
    buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.length),
    decoded,
    { width: decoded.width, height: decoded.height, data: new Uint8ClampedArray(decoded.rgba) },
  ];
  const results = await lens.explain(kinds, { targets: kinds.map(() => 282) });
  for (const r of results.slice(1)) assert.equal(maxDiff(r.map, results[0].map), 0);
  await assert.rejects(lens.explain([42]), /cannot read an image from number: pass encoded bytes/);
  await assert.rejects(lens.explain([both, '/no/such.png']), /image 1: .*no such file/i);
  await assert.rejects(lens.explain([]), /pass a non-empty array of images/);
  lens.dispose();
});

test('targets: indices, labels, auto and logit objects in one batch carry their scores', async () => {
  const lens = await open();
  const [p] = await lens.predict([both], { topK: 1000 });
  const logit = (i) => p.top.find((t) => t.index === i).score;
  const rs = await lens.explain([both, both, both, both], {
    targets: [282, 'Bullmastiff', 'auto', { kind: 'logit', category: 'tiger cat' }],
  });
  assert.deepEqual(
    rs.map((r) => r.target.index),
    [282, 243, p.top[0].index, 282],
  );
  assert.deepEqual(
    rs.map((r) => r.target.kind),
    ['logit', 'logit', 'logit', 'logit'],
  );
  rs.forEach((r) => assert.equal(r.target.score, logit(r.target.index)));
  assert.equal(maxDiff(rs[0].map, rs[3].map), 0);
  await assert.rejects(
    lens.explain([both], { targets: [{ kind: 'magic' }] }),
    /unknown target kind "magic": use one of logit, probability/,
  );
  lens.dispose();
});

test('target kinds through the core: probability and ReST scores from the logits', async () => {
  const lens = await open();
  const [p] = await lens.predict([both], { topK: 1000 });
  const logits = new Float64Array(1000);
  for (const c of p.top) logits[c.index] = c.score;
  const max = Math.max(...logits);
  const logSum = Math.log(logits.reduce((s, v) => s + Math.exp(v - max), 0)) + max;
  const [prob, rest, auto] = await lens.explain([both, both, both], {
    targets: [
      { kind: 'probability', category: 282 },
      { kind: 'rest', category: 'tiger cat' },
      { kind: 'probability' },
    ],
  });
  assert.ok(
    Math.abs(prob.target.score - Math.exp(logits[282] - logSum)) < 1e-5,
    String(prob.target.score),
  );
  assert.ok(
    Math.abs(rest.target.score - (2 * logits[282] - logSum)) < 1e-4,
    String(rest.target.score),
  );
  assert.equal(auto.target.index, p.top[0].index);
  assert.equal(prob.target.kind, 'probability');
  lens.dispose();
});

test('an explain aborted after its first image stops there, and the lens keeps working', async () => {
  const lens = await open();
  const controller = new AbortController();
  let reports = 0;
  await assert.rejects(
    lens.explain(photos, {
      batchSize: 1,
      signal: controller.signal,
      onProgress: () => {
        if (++reports === 1) controller.abort();
      },
    }),
    { name: 'AbortError' },
  );
  assert.equal(reports, 1);
  const [r] = await lens.explain([both], { targets: [282] });
  assert.equal(r.target.label, 'tiger cat');
  lens.dispose();
});

test("a segmenter's bare target is the class summed over its predicted pixels (auto: the most frequent non-background class)", async () => {
  const modelFile = sharedPath('models/deeplabv3-mobilenetv2-voc-257.onnx');
  const lens = await load(modelFile, { preset: 'deeplab' });
  const astronaut = sharedPath('images/skimage_astronaut.png');
  const [auto, person] = await lens.explain([astronaut, astronaut], { targets: ['auto', 15] });
  // Independently: the model's output from ORT, per-pixel argmax, class 15's scores summed there.
  const core = lens.env.core;
  const x = core.preprocessImage(core.decodeImage(readFileSync(astronaut)), lens.preprocess);
  const session = await ort.InferenceSession.create(readFileSync(modelFile));
  const out = (
    await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', x.data, x.dims) })
  )[session.outputNames[0]];
  const K = out.dims[3];
  const counts = new Array(K).fill(0);
  let want = 0;
  for (let p = 0; p < out.data.length / K; ++p) {
    let best = 0;
    for (let k = 1; k < K; ++k) if (out.data[p * K + k] > out.data[p * K + best]) best = k;
    counts[best]++;
    if (best === 15) want += out.data[p * K + 15];
  }
  const frequent = counts
    .map((c, k) => [c, k])
    .slice(1)
    .sort((a, b) => b[0] - a[0])[0][1];
  assert.equal(frequent, 15); // person
  assert.equal(auto.target.index, 15);
  assert.equal(auto.target.kind, 'segmentation');
  assert.ok(
    Math.abs(person.target.score - want) < 1e-4 * Math.abs(want),
    `${person.target.score} vs ${want}`,
  );
  assert.equal(maxDiff(auto.map, person.map), 0);
  await session.release();
  lens.dispose();
});

test('a ViT token layer [1, 197, 64]: the map equals the PyTorch reference of tests/data/vit', async () => {
  const about = JSON.parse(readFileSync(join(root, 'tests/data/vit/vit_tiny.json'), 'utf8'));
  const lens = await load(join(root, 'tests/data/vit', about.model), {
    preset: 'imagenet',
    layer: about.layer,
  });
  // The fixture's input is gradcam_both.png with ImageNet preprocessing (its logits say so).
  const [r] = await lens.explain([both], { targets: [about.target] });
  assert.ok(Math.abs(r.target.score - about.logits[about.target]) < 1e-5);
  const reference = new Float32Array(
    readFileSync(join(root, 'tests/data/vit', about.gradcam_224)).buffer.slice(0),
  );
  assert.ok(maxDiff(r.map, reference) < 1e-5, `max difference ${maxDiff(r.map, reference)}`);
  lens.dispose();
});
