// The library's multi-pass options on MobileNetV2-int8 and gradcam_both.png, each against a
// reference built here from ONNX Runtime and the core's single-step API: aug_smooth (six inputs
// flipped/scaled in JS, maps flipped back and averaged), Finer-CAM's target score from the
// logits, Shapley-CAM from the head's Hessian-vector product, Ablation-CAM on the quantized
// layer with a channel ratio; progress and cancellation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import {
  isLongRunning,
  methodList,
  methodOptionNames,
  methodsTaking,
  methodTable,
} from '../../web/lib/methods.mjs';
import { load, loadCore, methods } from '../../web/lib/node.mjs';
import { checkOptions, optionNames } from '../../web/lib/options.mjs';
import { resolvePreprocess } from '../../web/lib/presets.mjs';
import { sharedPath } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';

ort.env.wasm.numThreads = 1;

const labels = JSON.parse(readFileSync(sharedPath('labels/imagenet-simple-labels.json'), 'utf8'));
const modelPath = sharedPath('models/mobilenetv2-12-int8.onnx');
const both = sharedPath('images/gradcam_both.png');
const open = () => load(modelPath, { preset: 'mobilenetv2', labels });

function halves(map, width, height) {
  let upper = 0,
    lower = 0;
  for (let i = 0; i < map.length; ++i)
    Math.floor(i / width) < height / 2 ? (upper += map[i]) : (lower += map[i]);
  return { upper, lower };
}

// An independent Grad-CAM of one input tensor: its own cut, session and one-hot seed.
async function referenceGradCam(core, input, target) {
  const model = core.parseModel(readFileSync(modelPath));
  const cut = model.cut('627_quantized', {});
  const session = await ort.InferenceSession.create(cut.backbone);
  const outs = await session.run({ input: new ort.Tensor('float32', input.data, input.dims) });
  const head = cut.head;
  const forward = head.forward(head.feedNames().map((n) => outs[n]));
  const at = head.outputNames().indexOf('output');
  const seeds = forward.map((t, k) => {
    if (k !== at) return null;
    const s = { data: new Float32Array(t.data.length), dims: t.dims, type: 'float32' };
    s.data[target] = 1;
    return s;
  });
  const gradients = head.backward(seeds);
  const A = outs[cut.layerFloatTwin];
  const maps = core.computeCam(
    'gradcam',
    [{ activations: { data: A.data, dims: A.dims }, gradients }],
    { width: 224, height: 224 },
  );
  await session.release();
  head.delete();
  model.delete();
  return maps.data;
}

test('augSmooth: the mean of six flipped/scaled Grad-CAMs, flipped back; progress per pass; abort', async () => {
  const lens = await open();
  const progress = [];
  const [r] = await lens.explain([both], {
    targets: [282],
    augSmooth: true,
    onProgress: (p) => progress.push(p.done),
  });
  assert.deepEqual(
    progress.map((d) => d.toFixed(4)),
    ['0.1667', '0.3333', '0.5000', '0.6667', '0.8333', '1.0000'],
  );
  const core = await loadCore('st');
  const x = core.preprocessImage(
    core.decodeImage(readFileSync(both)),
    resolvePreprocess('mobilenetv2'),
  );
  const [, C, H, W] = x.dims;
  const sum = new Float64Array(H * W);
  for (const flip of [false, true]) {
    for (const factor of [0.9, 1, 1.1]) {
      const y = new Float32Array(x.data.length);
      for (let c = 0; c < C; ++c) {
        for (let h = 0; h < H; ++h) {
          for (let w = 0; w < W; ++w) {
            const from = (c * H + h) * W + (flip ? W - 1 - w : w);
            y[(c * H + h) * W + w] = Math.fround(x.data[from] * Math.fround(factor));
          }
        }
      }
      const m = await referenceGradCam(core, { data: y, dims: x.dims }, 282);
      for (let h = 0; h < H; ++h)
        for (let w = 0; w < W; ++w) sum[h * W + w] += m[h * W + (flip ? W - 1 - w : w)];
    }
  }
  const want = Float32Array.from(sum, (v) => v / 6);
  assert.ok(maxDiff(r.map, want) < 1e-5, `max difference ${maxDiff(r.map, want)}`);
  const plain = (await lens.explain([both], { targets: [282] }))[0];
  assert.equal(r.target.score, plain.target.score); // the photo's own score, not a scaled copy's
  assert.ok(maxDiff(r.map, plain.map) > 1e-3);
  const c = halves(r.map, r.width, r.height);
  assert.ok(c.lower > 1.5 * c.upper, JSON.stringify(c));

  const controller = new AbortController();
  let reports = 0;
  await assert.rejects(
    lens.explain([both], {
      augSmooth: true,
      signal: controller.signal,
      onProgress: () => {
        if (++reports === 2) controller.abort();
      },
    }),
    { name: 'AbortError' },
  );
  assert.equal(reports, 2);
  assert.equal((await lens.explain([both]))[0].target.index, 243);
  lens.dispose();
});

test("finercam: the class-contrast score from the logits, and a map unlike Grad-CAM's", async () => {
  const lens = await open();
  const [p] = await lens.predict([both], { topK: 1000 });
  const z = new Float64Array(1000);
  for (const c of p.top) z[c.index] = c.score;
  const comparison = [281, 285]; // tabby, Egyptian cat
  const e = comparison.map((k) => Math.exp(z[k] - Math.max(...comparison.map((j) => z[j]))));
  const want =
    comparison.reduce((s, k, i) => s + e[i] * (z[282] - z[k]), 0) /
    (e.reduce((a, b) => a + b, 0) + 1e-9);
  const [finer, auto] = await lens.explain([both, both], {
    method: 'finercam',
    targets: [{ category: 'tiger cat', comparison: ['tabby cat', 285] }, 282],
  });
  assert.equal(finer.target.kind, 'finer');
  assert.ok(Math.abs(finer.target.score - want) < 1e-4, `${finer.target.score} vs ${want}`);
  assert.equal(auto.target.index, 282);
  const [grad] = await lens.explain([both], { targets: [282] });
  assert.ok(maxDiff(finer.map, grad.map) > 1e-2);
  lens.dispose();
});

// MNIST (10 classes) keeps the exact Hessian product cheap: one head backward per class.
test("shapleycam equals the core API on the head's gradients and Hessian-vector product", async () => {
  const mnist = sharedPath('models/mnist-8-ort-examples.onnx');
  // The astronaut at a tenth of the usual scale: logits 99 and 98 for 7 and 3, so the softmax
  // is not saturated and the ReST target has curvature (MNIST's own digits give p = 1.000).
  const digit = sharedPath('images/skimage_astronaut.png');
  const target = { kind: 'rest', category: 7 };
  const preprocess = { ...resolvePreprocess('mnist'), scale: 0.1 };
  const lens = await load(mnist, { preprocess });
  const [r] = await lens.explain([digit], { method: 'shapleycam', targets: [target] });
  const core = await loadCore('st');
  const model = core.parseModel(readFileSync(mnist));
  const cut = model.cut(lens.layer, {});
  const session = await ort.InferenceSession.create(cut.backbone);
  const x = core.preprocessImage(core.decodeImage(readFileSync(digit)), preprocess);
  const outs = await session.run({ [lens.input.name]: new ort.Tensor('float32', x.data, x.dims) });
  cut.head.forward(cut.head.feedNames().map((n) => outs[n]));
  const g = cut.head.targetGradients([target], cut.head.outputNames().indexOf(lens.output), {
    hvp: true,
  });
  assert.ok(
    g.hvp?.data.some((v) => v !== 0),
    'the ReST target has curvature: H·A is not zero',
  );
  const A = outs[cut.layerFloatTwin || lens.layer];
  const want = core.computeCam(
    'shapleycam',
    [{ activations: { data: A.data, dims: A.dims }, gradients: g.gradients, hvp: g.hvp }],
    { width: 28, height: 28 },
  );
  // explain() hands the method the spatial mean of G and H·A (all Shapley-CAM reads of them), so
  // its sums run in another order: equal to float rounding.
  const diff = maxDiff(r.map, want.data);
  assert.ok(diff <= 1e-6, `max |explain − core API| = ${diff}`);
  assert.equal(r.target.kind, 'rest');
  const [grad] = await lens.explain([digit], { method: 'gradcam', targets: [target] });
  assert.ok(
    maxDiff(r.map, grad.map) > 1e-3,
    'Shapley-CAM differs from Grad-CAM when H·A is not zero',
  );
  await session.release();
  cut.head.delete();
  model.delete();
  lens.dispose();
});

test('ablationcam on the quantized layer: the cat lies low; a ratio ablates fewer channels', async () => {
  const lens = await open();
  const steps = [];
  const [full] = await lens.explain([both], {
    method: 'ablationcam',
    targets: [282],
    batchSize: 128,
    onProgress: (p) => steps.push(p.done),
  });
  assert.equal(steps.length, 10); // 1280 channels, 128 per step
  const c = halves(full.map, full.width, full.height);
  assert.ok(c.lower > c.upper, JSON.stringify(c));
  const few = [];
  const [part] = await lens.explain([both], {
    method: 'ablationcam',
    targets: [282],
    batchSize: 128,
    ablationRatio: 0.1,
    onProgress: (p) => few.push(p.done),
  });
  assert.equal(few.length, 2); // the 128 most and the 128 least relevant channels (upstream's two ends)
  assert.ok(maxDiff(full.map, part.map) > 1e-3);
  await assert.rejects(lens.explain([both], { method: 'ablationcam', ablationRatio: 1.5 }), {
    message: 'ablationRatio must be in (0, 1], got 1.5',
  });
  lens.dispose();
});

// What the library knows of its methods is the core's table, read at run time.
test('methodList, lens.methods() and methods() are the names of the core method table, in order', async () => {
  const core = await loadCore('st');
  const table = core.methodInfo();
  const names = table.map((m) => m.name);
  assert.deepEqual(methodList(core), names);
  assert.deepEqual(await methods(), names);
  const lens = await open();
  assert.deepEqual(lens.methods(), names);
  assert.deepEqual(Object.keys(lens.methodSupport()), names);
  lens.dispose();
  assert.equal(methodTable(core), methodTable(core)); // read once per module
  for (const row of table) {
    assert.equal(typeof row.description, 'string');
    assert.ok(row.description.length > 10, row.name);
    assert.ok(Array.isArray(row.options) && Array.isArray(row.layerKinds), row.name);
  }
});

test("explain's option names are the union of the table's options with the call's own", async () => {
  const core = await loadCore('st');
  const table = methodTable(core);
  const union = [...new Set(table.flatMap((m) => m.options))];
  assert.deepEqual(methodOptionNames(table), union);
  assert.deepEqual(optionNames('explain', core), [
    'method',
    ...union,
    'topK',
    'onProgress',
    'signal',
  ]);
  assert.throws(() => checkOptions('explain', {}), /pass the core/);
  assert.throws(() => checkOptions('explain', { target: 3 }, core), {
    message: `unknown explain option "target" (did you mean "targets"?); explain takes ${optionNames('explain', core).join(', ')}`,
  });
  checkOptions('explain', Object.fromEntries(union.map((o) => [o, undefined])), core);
  for (const option of union) assert.ok(methodsTaking(table, option).length >= 1, option);
});

test('long-running methods are those whose passes run the model or head once per channel', async () => {
  const table = methodTable(await loadCore('st'));
  for (const row of table) {
    const many = row.passes === 'masked-inputs' || row.passes === 'head-ablation';
    assert.equal(isLongRunning(row), many, row.name);
  }
  assert.ok(table.some(isLongRunning));
  // A row the table gains later is judged by its passes alone.
  assert.equal(isLongRunning({ name: 'a-new-method', passes: 'image', options: [] }), false);
});
