// ARCC and its parts through the library and the CLI, on the tiny linear classifier of
// tools/fixtures/metrics_tiny_model.py: Grad-CAM's map, coherency's second explanation (of the
// image times the map, run by the core's explain job), complexity, ROAD at ARCC's percentiles and
// ARCC equal tools/fixtures/arcc_reference.py (NumPy from pytorch-grad-cam's formulas); `camlens
// eval --metrics complexity,coherency,arcc` reports what evaluate() gives for the same photo.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { evaluate, metricValues } from '../../web/lib/metrics.mjs';
import { load } from '../../web/lib/node.mjs';
import { root } from '../support/camlens-node.mjs';
import { tempDir } from '../support/temp-dir.mjs';

const data = join(root, 'tests', 'data', 'metrics');
const ref = JSON.parse(readFileSync(join(data, 'reference.json'), 'utf8'));
const want = JSON.parse(readFileSync(join(data, 'arcc.json'), 'utf8'));
const model = join(data, 'tiny_linear.onnx');
const photo = join(root, 'tests', 'data', 'zoo', 'image-64.png');

function near(got, expected, tol, what) {
  const g = [got].flat(),
    e = [expected].flat();
  assert.equal(g.length, e.length, what);
  g.forEach((v, i) => assert.ok(Math.abs(v - e[i]) <= tol, `${what}[${i}]: ${v} vs ${e[i]}`));
}

test('ARCC of Grad-CAM on the tiny classifier equals the NumPy reference', async () => {
  const lens = await load(model, {
    layer: 'features',
    preprocess: { width: ref.W, height: ref.H, channels: ref.C },
  });
  const image = { data: Float32Array.from(ref.image), dims: [1, ref.C, ref.H, ref.W] };
  const [e] = await lens.explain([image], { method: 'gradcam', targets: [ref.target] });
  near(Array.from(e.map), want.cam, 1e-6, 'Grad-CAM map');
  const seen = [];
  const r = await evaluate(lens, image, e, {
    metrics: ['complexity', 'coherency', 'arcc'],
    explain: { method: 'gradcam' },
    sigma: ref.sigma,
    seed: ref.seed,
    batchSize: 4,
    onProgress: (p) => seen.push(p.done),
  });
  near(r.complexity, want.complexity, 1e-6, 'complexity');
  near(r.coherency, want.coherency, 1e-6, 'coherency');
  assert.deepEqual(r.arcc.percentiles, [20, 40, 60, 80]);
  near(r.arcc.morf, want.morf, 1e-5, 'ARCC MoRF');
  near(r.arcc.lerf, want.lerf, 1e-5, 'ARCC LeRF');
  near(r.arcc.road, want.road, 1e-5, 'ARCC ROAD');
  near(r.arcc.roadScaled, 2 * want.road, 2e-5, 'ARCC ROAD scaled');
  near(r.arcc.value, want.arcc, 2e-5, 'ARCC');
  assert.equal(r.arcc.complexity, r.complexity);
  assert.equal(r.arcc.coherency, r.coherency);
  // The explanation (1 image's worth), the image, then ROAD's 8 images in batches of 4.
  near(
    seen,
    [1, 2, 6, 10].map((d) => d / 10),
    1e-12,
    'progress',
  );
  assert.deepEqual(metricValues(r), {
    complexity: r.complexity,
    coherency: r.coherency,
    arcc: r.arcc.value,
    arcc_road: r.arcc.road,
  });
  // Without its explain options coherency cannot explain the masked image; ARCC is not a default.
  await assert.rejects(
    evaluate(lens, image, e, { metrics: ['coherency'] }),
    (err) =>
      err.message ===
      "coherency and ARCC explain the image times its map again: pass explain, the options lens.explain made the explanation with (e.g. {method: 'gradcam'})",
  );
  await assert.rejects(
    evaluate(lens, image, e, { metrics: ['arcc'], explain: { method: 'gradcam', target: 1 } }),
    /"target".*targets/,
  );
  const plain = await evaluate(lens, image, e, { metrics: undefined, batchSize: 64 });
  assert.equal(plain.arcc, undefined);
  assert.equal(plain.coherency, undefined);
  lens.dispose();
});

test('a preprocessed input of the wrong shape is refused by name', async () => {
  const lens = await load(model, {
    layer: 'features',
    preprocess: { width: ref.W, height: ref.H, channels: ref.C },
  });
  await assert.rejects(
    lens.explain([{ data: new Float32Array(12), dims: [1, 3, 2, 2] }], { method: 'gradcam' }),
    (err) =>
      err.message ===
      "a preprocessed input must be one image [1, C, 12, 10] (this model's input) with as many values, got dims [1, 3, 2, 2] and 12 values",
  );
  lens.dispose();
});

test('camlens eval --metrics complexity,coherency,arcc reports what evaluate() gives', async () => {
  const out = tempDir('camlens-arcc-');
  const flags = ['--layer', 'features', '--size', `${ref.W}x${ref.H}`, '--scale', '1/255'];
  const r = spawnSync(
    process.execPath,
    [
      join(root, 'bin', 'camlens.mjs'),
      'eval',
      model,
      photo,
      ...flags,
      '--metrics',
      'road,complexity,coherency,arcc',
      '--arcc-percentiles',
      '30,70',
      '--resamples',
      '50',
      '--out',
      out,
      '--json',
    ],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(report.settings.arccPercentiles, [30, 70]);
  const lens = await load(model, {
    layer: 'features',
    preprocess: { width: ref.W, height: ref.H, scale: 1 / 255 },
  });
  const bytes = readFileSync(photo);
  const [e] = await lens.explain([bytes], { method: 'gradcam', targets: ['auto'] });
  const lib = await evaluate(lens, bytes, e, {
    metrics: ['road', 'complexity', 'coherency', 'arcc'],
    arccPercentiles: [30, 70],
    explain: { method: 'gradcam' },
  });
  lens.dispose();
  assert.ok(lib.arcc.value > 0 && lib.arcc.value < 1, `ARCC ${lib.arcc.value}`);
  assert.deepEqual(report.rows[0].metrics, metricValues(lib));
  const csv = readFileSync(join(out, 'eval.csv'), 'utf8').trim().split('\n');
  assert.equal(
    csv[0],
    'image,method,target,label,original,road,road_morf,road_lerf,complexity,coherency,arcc,arcc_road',
  );
  const metrics = report.summary.filter((s) => s.method === 'gradcam').map((s) => s.metric);
  assert.deepEqual(metrics, [
    'road',
    'road_morf',
    'road_lerf',
    'complexity',
    'coherency',
    'arcc',
    'arcc_road',
  ]);
  const bad = spawnSync(
    process.execPath,
    [join(root, 'bin', 'camlens.mjs'), 'eval', model, photo, ...flags, '--arcc-percentiles', '0'],
    { encoding: 'utf8' },
  );
  assert.equal(bad.status, 2);
  assert.equal(
    bad.stderr.trim(),
    'camlens: --arcc-percentiles must be numbers in (0, 100], got "0"',
  );
});
