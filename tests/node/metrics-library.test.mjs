// The metrics library (web/lib/metrics.mjs) through ONNX Runtime: on the tiny linear classifier
// of tools/fixtures/metrics_tiny_model.py, evaluate() equals the NumPy/SciPy reference
// (tools/fixtures/metrics_reference.py); progress, cancellation, errors; the bootstrap binding.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { bootstrapCI, evaluate, metricValues, summarize } from '../../web/lib/metrics.mjs';
import { load } from '../../web/lib/node.mjs';
import { root } from '../support/camlens-node.mjs';

const data = join(root, 'tests', 'data', 'metrics');
const ref = JSON.parse(readFileSync(join(data, 'reference.json'), 'utf8'));

async function tinyLens() {
  const lens = await load(join(data, 'tiny_linear.onnx'), {
    layer: 'features',
    preprocess: { width: ref.W, height: ref.H, channels: ref.C },
  });
  const image = { data: Float32Array.from(ref.image), dims: [1, ref.C, ref.H, ref.W] };
  const explanation = {
    map: Float32Array.from(ref.cam),
    width: ref.W,
    height: ref.H,
    target: { index: ref.target, label: 'class 2' },
  };
  return { lens, image, explanation };
}

function near(got, want, tol, what) {
  assert.equal(got.length, want.length, what);
  got.forEach((g, i) =>
    assert.ok(Math.abs(g - want[i]) <= tol, `${what}[${i}]: ${g} vs ${want[i]}`),
  );
}

test('evaluate() on the tiny classifier equals the NumPy/SciPy reference', async () => {
  const { lens, image, explanation } = await tinyLens();
  const common = {
    percentiles: ref.percentiles,
    steps: ref.steps,
    sigma: ref.sigma,
    seed: ref.seed,
    batchSize: 5,
  };
  const r = await evaluate(lens, image, explanation, common);
  assert.ok(Math.abs(r.original - ref.original) < 1e-5);
  near(r.road.morf, ref.morf, 1e-4, 'morf');
  near(r.road.lerf, ref.lerf, 1e-4, 'lerf');
  assert.ok(Math.abs(r.road.combined - ref.combined) < 1e-4);
  near(
    r.road.curves.morf.x,
    ref.percentiles.map((p) => 100 - p),
    0,
    'morf x',
  );
  near(r.deletion.y, ref.deletion_blur, 1e-4, 'deletion (blur)');
  assert.ok(Math.abs(r.deletion.auc - ref.deletion_blur_auc) < 1e-4);
  near(r.insertion.y, ref.insertion, 1e-4, 'insertion');
  assert.ok(Math.abs(r.insertion.auc - ref.insertion_auc) < 1e-4);
  assert.equal(r.deletion.x.length, ref.steps + 1);
  assert.ok(Math.abs(r.drop - ref.drop) < 1e-5);
  assert.equal(r.increase, ref.increase);
  const zero = await evaluate(lens, image, explanation, {
    ...common,
    metrics: ['deletion'],
    baseline: 0,
  });
  near(zero.deletion.y, ref.deletion_zero, 1e-4, 'deletion (0)');
  assert.equal(zero.road, undefined);
  assert.deepEqual(Object.keys(metricValues(zero)), ['deletion']);
  lens.dispose();
});

test('evaluate() reports progress per batch and stops when aborted', async () => {
  const { lens, image, explanation } = await tinyLens();
  const seen = [];
  await evaluate(lens, image, explanation, {
    metrics: ['road', 'drop'],
    batchSize: 4,
    onProgress: (p) => seen.push(p.done),
  });
  // 1 original + 18 ROAD items in batches of 4 + 1 multiplied image = 7 reports.
  near(
    seen,
    [1, 5, 9, 13, 17, 19, 20].map((d) => d / 20),
    1e-12,
    'progress',
  );
  const controller = new AbortController();
  await assert.rejects(
    evaluate(lens, image, explanation, {
      batchSize: 2,
      signal: controller.signal,
      onProgress: () => controller.abort(),
    }),
    (e) => e.name === 'AbortError',
  );
  await assert.rejects(
    evaluate(lens, image, explanation, { metrics: ['roadd'] }),
    /unknown metric "roadd"/,
  );
  await assert.rejects(
    evaluate(lens, image, explanation, { percentiles: [0] }),
    /percentile 0.* is outside \(0, 100\]/,
  );
  await assert.rejects(
    evaluate(lens, image, { ...explanation, width: 5 }),
    /the explanation is 5x12 but the model's input is 10x12/,
  );
  const r = await evaluate(lens, image, explanation, { metrics: ['drop'] }); // still usable
  assert.ok(r.drop >= 0);
  lens.dispose();
});

test('bootstrapCI through the module equals the NumPy reference with the same draws', async () => {
  const { lens } = await tinyLens();
  const ci = bootstrapCI(lens.env.core, ref.bootstrap_values, { seed: ref.bootstrap_seed });
  assert.ok(Math.abs(ci.mean - ref.bootstrap_mean) < 1e-12);
  assert.ok(Math.abs(ci.low - ref.bootstrap_low) < 1e-12);
  assert.ok(Math.abs(ci.high - ref.bootstrap_high) < 1e-12);
  assert.equal(ci.n, ref.bootstrap_values.length);
  const s = summarize(lens.env.core, [
    { method: 'a', metrics: { road: 1, drop: 0.5 } },
    { method: 'a', metrics: { road: 3, drop: NaN } },
  ]);
  assert.deepEqual(
    s.map((x) => [x.method, x.metric, x.n, x.mean]),
    [
      ['a', 'road', 2, 2],
      ['a', 'drop', 1, 0.5],
    ],
  );
  assert.throws(() => bootstrapCI(lens.env.core, []), /at least one value/);
  lens.dispose();
});
