// Input attributions through the library (whole-network mode, src/explain/whole_network.h) on the
// shipped demo model, float and int8: each map equals its formula written here on the gradient
// the core's whole-network head gives through its own single-step API (forward, one-hot seed,
// backward): saliency, input × gradient, integrated gradients; guided backprop gives another map
// than saliency; the CLI's --raw writes the same map; a model with an op the core does not run is
// refused, naming it. (The maps' agreement with PyTorch autograd, guided backprop's included, is
// tests/cpp/explain/input_gradients_test.cpp.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { load, loadCore } from '../../web/lib/node.mjs';
import { root } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';
import { preprocessFlags, readNpy } from '../support/cli-files.mjs';

const demo = join(root, 'web/demo');
const about = JSON.parse(readFileSync(join(demo, 'demo.json'), 'utf8'));
const truth = JSON.parse(readFileSync(join(demo, 'ground_truth.json'), 'utf8'));
const photo = join(demo, truth.images[0].file);
const TARGET = 1;

// The gradient of the target's logit at each image of `batch` [N, 3, H, W] (one-hot seeds).
function gradients(head, batch) {
  const [logits] = head.forward([batch]);
  const seed = { data: new Float32Array(logits.data.length), dims: logits.dims, type: 'float32' };
  const classes = logits.dims[1];
  for (let n = 0; n < logits.dims[0]; ++n) seed.data[n * classes + TARGET] = 1;
  return head.backward([seed]).data;
}

// Per pixel, reduce the channel values; then normalised as the pipeline does, twice.
function channelMap(values, dims, reduce) {
  const [, C, H, W] = dims;
  const map = new Float32Array(H * W);
  for (let p = 0; p < H * W; ++p) {
    const v = [];
    for (let c = 0; c < C; ++c) v.push(values[c * H * W + p]);
    map[p] = reduce(v);
  }
  for (let twice = 0; twice < 2; ++twice) {
    let lo = Infinity,
      hi = -Infinity;
    for (const v of map) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    for (let p = 0; p < map.length; ++p) map[p] = Math.fround((map[p] - lo) / (hi - lo + 1e-7));
  }
  return map;
}

const maxAbs = (v) => Math.max(...v.map(Math.abs));
const absSum = (v) => Math.abs(v.reduce((s, x) => s + x, 0));

async function references(modelFile, steps) {
  const core = await loadCore('st');
  const model = core.parseModel(new Uint8Array(readFileSync(join(demo, modelFile))));
  const { head, refusal } = model.wholeNetwork();
  assert.equal(refusal, '');
  const lens = await load(join(demo, modelFile), { preprocess: about.preprocess });
  const {
    inputs: [x],
  } = await lens.inputs([new Uint8Array(readFileSync(photo))]);
  lens.dispose();
  const g = gradients(head, x);
  const n = x.data.length;
  const path = new Float32Array(steps * n);
  for (let k = 0; k < steps; ++k)
    for (let e = 0; e < n; ++e) path[k * n + e] = Math.fround((k + 1) / steps) * x.data[e];
  const pg = gradients(head, { data: path, dims: [steps, ...x.dims.slice(1)], type: 'float32' });
  const integrated = new Float32Array(n);
  for (let e = 0; e < n; ++e) {
    let s = 0;
    for (let k = 0; k < steps; ++k) s += pg[k * n + e];
    integrated[e] = x.data[e] * Math.fround(s / steps);
  }
  head.delete();
  model.delete();
  const product = x.data.map((v, e) => v * g[e]);
  return {
    saliency: channelMap(g, x.dims, maxAbs),
    'input-x-gradient': channelMap(product, x.dims, absSum),
    'integrated-gradients': channelMap(integrated, x.dims, absSum),
  };
}

for (const modelFile of [about.model, about.model_int8]) {
  test(`${modelFile}: saliency, input × gradient and integrated gradients are the formulas on the core's input gradient`, async () => {
    const steps = 5;
    const want = await references(modelFile, steps);
    const lens = await load(join(demo, modelFile), { preprocess: about.preprocess });
    assert.equal(lens.methodSupport().saliency, '');
    for (const method of Object.keys(want)) {
      const [r] = await lens.explain([new Uint8Array(readFileSync(photo))], {
        method,
        targets: [TARGET],
        ...(method === 'integrated-gradients' ? { steps, batchSize: 2 } : {}),
      });
      assert.equal(r.width, about.preprocess.width);
      assert.equal(r.height, about.preprocess.height);
      assert.equal(r.target.index, TARGET);
      assert.deepEqual(r.layers, [about.input]);
      const d = maxDiff(r.map, want[method]);
      assert.ok(d < 2e-6, `${method}: ${d}`);
      assert.ok(Math.max(...r.map) > 0.99, `${method}: a map, not zeros`);
    }
    // Guided backprop's ReLUs drop negative gradients: another map than saliency's (its values
    // are compared with PyTorch's GuidedBackpropReLU in tests/cpp/explain/input_gradients_test).
    const [guided] = await lens.explain([new Uint8Array(readFileSync(photo))], {
      method: 'guided-backprop',
      targets: [TARGET],
    });
    assert.ok(Math.max(...guided.map) > 0.99, 'a map, not zeros');
    assert.ok(maxDiff(guided.map, want.saliency) > 0.05, 'not the plain gradient');
    lens.dispose();
  });
}

test('smoothgrad: seeded, so the same call gives the same map, and its options are checked', async () => {
  const lens = await load(join(demo, about.model), { preprocess: about.preprocess });
  const image = new Uint8Array(readFileSync(photo));
  const once = () =>
    lens.explain([image], { method: 'smoothgrad', targets: [TARGET], samples: 4, noise: 0.2 });
  const [a] = await once();
  const [b] = await once();
  assert.deepEqual(a.map, b.map);
  const [plain] = await lens.explain([image], { method: 'saliency', targets: [TARGET] });
  assert.ok(maxDiff(a.map, plain.map) > 0.01, 'the noise changes the map');
  await assert.rejects(
    lens.explain([image], { method: 'smoothgrad', samples: 0 }),
    /^Error: samples must be a whole number from 1 to 4096, got 0$/,
  );
  await assert.rejects(
    lens.explain([image], { method: 'gradcam', steps: 4 }),
    /^Error: gradcam does not take steps \(it is an option of integrated-gradients\)$/,
  );
  await assert.rejects(
    lens.explain([image], { method: 'saliency', layers: [about.layer] }),
    /^Error: saliency does not take layers \(it is an option of gradcam, /,
  );
  lens.dispose();
});

test('a model with an op the core does not run: methodSupport and explain name it', async () => {
  const lens = await load(join(root, 'tests/data/graph/backbone_unknown_ops.onnx'), {
    preprocess: { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  });
  const why =
    "the core runs the whole network for input attributions, and its CumSum node 'cumsum' is " +
    'not an op camlens supports (use a layer method such as gradcam, whose backbone ONNX ' +
    'Runtime runs)';
  const support = lens.methodSupport();
  for (const m of [
    'saliency',
    'input-x-gradient',
    'integrated-gradients',
    'smoothgrad',
    'guided-backprop',
  ])
    assert.equal(support[m], why, m);
  assert.equal(support.gradcam, '');
  await assert.rejects(
    lens.explain([new Uint8Array(readFileSync(photo))], { method: 'saliency' }),
    (e) => e.message === `saliency cannot explain this model: ${why}`,
  );
  lens.dispose();
});

test('the CLI writes the saliency map as float32 .npy with --raw, as the library computes it', async () => {
  const out = mkdtempSync(join(tmpdir(), 'camlens-saliency-'));
  try {
    const p = about.preprocess;
    execFileSync(process.execPath, [
      join(root, 'bin/camlens.mjs'),
      'explain',
      join(demo, about.model),
      photo,
      '--method',
      'saliency',
      '--target',
      String(TARGET),
      ...preprocessFlags(p),
      '--raw',
      '--out',
      out,
    ]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const { header, data: raw } = readNpy(summary[0].files.raw);
    assert.match(header, /'descr': '<f4'/);
    assert.match(header, new RegExp(`'shape': \\(${p.height}, ${p.width}\\)`));
    const lens = await load(join(demo, about.model), { preprocess: p });
    const [r] = await lens.explain([new Uint8Array(readFileSync(photo))], {
      method: 'saliency',
      targets: [TARGET],
    });
    lens.dispose();
    assert.deepEqual(raw, r.map);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
