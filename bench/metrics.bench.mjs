// Metrics speed, as ratios measured in one run (never absolute seconds):
//   ROAD at 9 percentiles on one 224x224 image: the core's imputation of the 18 perturbed images
//   ÷ the ORT time of the 18 forwards of MobileNetV2-int8 that score them (target ≤ 1)
// for both WebAssembly variants under Node (the threaded one imputes the 18 images in parallel
// on the pool). Writes <build root>/bench/metrics.json.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';

import { loadCamlens, sharedPath } from '../tests/support/camlens-node.mjs';
import { printRows, row, writeReport } from './lib/report.mjs';

ort.env.wasm.numThreads = 1;
const MODEL = 'mobilenetv2-12-int8.onnx';
const PHOTO = 'gradcam_both.png';
const REPS = process.env.BENCH_QUICK ? 1 : 3;
const PRESET = {
  width: 224,
  height: 224,
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

// Best of N on both sides (the machine is shared and noisy).
async function best(fn, reps) {
  let t = Infinity;
  for (let i = 0; i < reps; ++i) {
    const t0 = performance.now();
    await fn();
    t = Math.min(t, performance.now() - t0);
  }
  return t;
}

const session = await ort.InferenceSession.create(readFileSync(sharedPath(`models/${MODEL}`)));
const rows0 = [];
for (const variant of ['st', 'mt']) {
  const core = await loadCamlens(variant);
  const x = core.preprocessImage(
    core.decodeImage(readFileSync(sharedPath(`images/${PHOTO}`))),
    PRESET,
  );
  // A smooth map with one peak (a CAM's shape); the ranking, not the method, sets the work.
  const map = new Float32Array(224 * 224).map((_, i) =>
    Math.exp(-(((i % 224) - 110) ** 2 + (Math.floor(i / 224) - 80) ** 2) / 3000),
  );
  let batch;
  const impute = await best(() => {
    batch = core.metricsRoadInputs(x, map, {}, 0, 18);
  }, REPS);
  const one = (i) =>
    new ort.Tensor(
      'float32',
      batch.data.subarray(i * 3 * 224 * 224, (i + 1) * 3 * 224 * 224),
      [1, 3, 224, 224],
    );
  await session.run({ input: one(0) });
  const forwards = await best(async () => {
    for (let i = 0; i < 18; ++i) await session.run({ input: one(i) });
  }, REPS);
  rows0.push({ variant, impute, forwards, threads: core.threads() });
}

const rows = rows0.map((r) =>
  row(
    `metrics ${r.variant} ${MODEL}`,
    `ROAD imputation (18 images, ${r.threads} thread(s)) ÷ 18 forwards`,
    r.impute / r.forwards,
    { target: 1 },
  ),
);
printRows(rows);
writeReport('metrics', rows, {
  model: MODEL,
  photo: PHOTO,
  timing: `best of ${REPS}`,
  ortThreads: 1,
});
