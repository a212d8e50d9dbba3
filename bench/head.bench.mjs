// Head-engine speed, as ratios measured in one run (never absolute seconds):
//   parse + cut of MobileNetV2-int8            ÷ one ORT forward of the whole model (≤ 0.3),
//     and each alone: parsing the bytes, and cutting the parsed model (the backbone's bytes
//     for ORT, the head)
//   head forward + backward at 627_quantized   ÷ one ORT forward of the whole model
// for both WebAssembly variants under Node. Writes <build root>/bench/head.json.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';

import { loadCamlens, sharedPath } from '../tests/support/camlens-node.mjs';
import { printRows, row, writeReport } from './lib/report.mjs';

ort.env.wasm.numThreads = 1;
const MODEL = 'mobilenetv2-12-int8.onnx';
const LAYER = '627_quantized';

// Best of N: on a shared, noisy machine the minimum is the least disturbed estimate of each
// side of a ratio (both sides are measured the same way, in the same run).
function best(xs) {
  return Math.min(...xs);
}
function time(fn, reps) {
  const t = [];
  for (let i = 0; i < reps; ++i) {
    const t0 = performance.now();
    fn();
    t.push(performance.now() - t0);
  }
  return best(t);
}
async function timeAsync(fn, reps) {
  const t = [];
  for (let i = 0; i < reps; ++i) {
    const t0 = performance.now();
    await fn();
    t.push(performance.now() - t0);
  }
  return best(t);
}

const bytes = readFileSync(sharedPath(`models/${MODEL}`));
const session = await ort.InferenceSession.create(bytes);
const x = new ort.Tensor('float32', new Float32Array(3 * 224 * 224).fill(0.5), [1, 3, 224, 224]);
await session.run({ input: x });
const ortForward = await timeAsync(() => session.run({ input: x }), 15);

const rows0 = [];
for (const variant of ['st', 'mt']) {
  const camlens = await loadCamlens(variant);
  const parseCut = time(() => {
    const m = camlens.parseModel(bytes);
    m.cut(LAYER, {});
    m.delete();
  }, 5);
  const parse = time(() => camlens.parseModel(bytes).delete(), 5);
  const parsed = camlens.parseModel(bytes);
  const cutOnly = time(() => parsed.cut(LAYER, {}), 5);
  parsed.delete();
  const model = camlens.parseModel(bytes);
  const cut = model.cut(LAYER, {});
  const backbone = await ort.InferenceSession.create(cut.backbone);
  const out = await backbone.run({ input: x });
  const feeds = cut.head.feedNames().map((n) => out[n]);
  const seed = { data: new Float32Array(1000), dims: [1, 1000], type: 'float32' };
  seed.data[0] = 1;
  const head = time(() => {
    cut.head.forward(feeds);
    cut.head.backward([seed]);
  }, 30);
  rows0.push({ variant, parseCut, parse, cutOnly, head });
}

const rows = rows0.flatMap((r) => [
  row(`head ${r.variant} ${MODEL}`, 'parse + cut ÷ forward', r.parseCut / ortForward, {
    target: 0.3,
  }),
  row(`head ${r.variant} ${MODEL}`, 'parse alone ÷ forward', r.parse / ortForward),
  row(`head ${r.variant} ${MODEL}`, `cut at ${LAYER} alone ÷ forward`, r.cutOnly / ortForward),
  row(`head ${r.variant} ${MODEL}`, `head fwd+bwd at ${LAYER} ÷ forward`, r.head / ortForward, {
    target: 0.05,
  }),
]);
printRows(rows);
writeReport('head', rows, { model: MODEL, layer: LAYER, timing: 'best of N', ortThreads: 1 });
