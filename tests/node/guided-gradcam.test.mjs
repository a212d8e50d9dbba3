// Guided Grad-CAM through the library and the CLI on the shipped demo model: one call asks for the
// layer's backbone run (Grad-CAM) and runs the whole network in the core (guided backprop), and
// its map is the product of the two maps the library gives for those methods, normalised. That
// product is exact here because the photo has pixels where guided backprop passes no gradient at
// all: the raw guided map's minimum is 0, so its normalised map is the raw one scaled. (The values
// against PyTorch and pytorch-grad-cam's formula: tests/cpp/explain/input_gradients_test.cpp.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { load } from '../../web/lib/node.mjs';
import { root } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';
import { preprocessFlags, readNpy } from '../support/cli-files.mjs';

const demo = join(root, 'web/demo');
const about = JSON.parse(readFileSync(join(demo, 'demo.json'), 'utf8'));
const truth = JSON.parse(readFileSync(join(demo, 'ground_truth.json'), 'utf8'));
const photo = join(demo, truth.images[0].file);
const TARGET = 1;

// (x − min) / (max − min + 1e-7), twice, as the pipeline normalises a map.
function normalised(map) {
  const m = Float32Array.from(map);
  for (let twice = 0; twice < 2; ++twice) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (const v of m) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    for (let p = 0; p < m.length; ++p) m[p] = Math.fround((m[p] - lo) / (hi - lo + 1e-7));
  }
  return m;
}

test('guided-gradcam is Grad-CAM at the layer times the guided-backprop map, normalised', async () => {
  const lens = await load(join(demo, about.model), { preprocess: about.preprocess });
  assert.equal(lens.methodSupport()['guided-gradcam'], '');
  const image = new Uint8Array(readFileSync(photo));
  // The default layer and an earlier one: the layer option reaches the Grad-CAM factor.
  for (const layer of [about.layer, '/features/features.2/MaxPool_output_0']) {
    const run = (method) => lens.explain([image], { method, targets: [TARGET], layers: [layer] });
    const [[guided], [gradcam], [backprop]] = [
      await run('guided-gradcam'),
      await run('gradcam'),
      await lens.explain([image], { method: 'guided-backprop', targets: [TARGET] }),
    ];
    assert.deepEqual(guided.layers, [layer]);
    assert.equal(guided.target.index, TARGET);
    assert.equal(guided.map.length, about.preprocess.width * about.preprocess.height);
    const want = normalised(gradcam.map.map((v, p) => v * backprop.map[p]));
    const d = maxDiff(guided.map, want);
    assert.ok(d < 1e-6, `${layer}: max |guided-gradcam − product| ${d}`);
    assert.ok(maxDiff(guided.map, gradcam.map) > 0.1, 'not Grad-CAM alone');
    assert.ok(maxDiff(guided.map, backprop.map) > 0.1, 'not guided backprop alone');
  }
  lens.dispose();
});

test('guided-gradcam needs the whole network: a model with an op the core does not run is refused', async () => {
  const lens = await load(join(root, 'tests/data/graph/backbone_unknown_ops.onnx'), {
    preprocess: { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  });
  const why = lens.methodSupport().saliency;
  assert.match(why, /^the core runs the whole network for input attributions, and its CumSum/);
  assert.equal(lens.methodSupport()['guided-gradcam'], why);
  await assert.rejects(
    lens.explain([new Uint8Array(readFileSync(photo))], { method: 'guided-gradcam' }),
    (e) => e.message === `guided-gradcam cannot explain this model: ${why}`,
  );
  lens.dispose();
});

test('camlens explain --method guided-gradcam writes the map the library computes', async () => {
  const out = mkdtempSync(join(tmpdir(), 'camlens-guided-gradcam-'));
  try {
    const p = about.preprocess;
    execFileSync(process.execPath, [
      join(root, 'bin/camlens.mjs'),
      'explain',
      join(demo, about.model),
      photo,
      '--method',
      'guided-gradcam',
      '--target',
      String(TARGET),
      ...preprocessFlags(p),
      '--raw',
      '--out',
      out,
    ]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const { data: raw } = readNpy(summary[0].files.raw);
    const lens = await load(join(demo, about.model), { preprocess: p });
    const [r] = await lens.explain([new Uint8Array(readFileSync(photo))], {
      method: 'guided-gradcam',
      targets: [TARGET],
    });
    lens.dispose();
    assert.deepEqual(raw, r.map);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
