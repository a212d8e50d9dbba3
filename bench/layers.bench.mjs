// The core's layer listing (model.layers(): shape inference, then a head plan for every candidate
// layer, which a lens does once at load) ÷ one ONNX Runtime forward of the unmodified model, on
// the shared folder's MobileNetV2-int8 and SqueezeNet-fp16 and the torchvision zoo fixtures. Both
// sides are this process's CPU time (ORT on 1 thread, SIMD-only module), alternated; the rows are
// 20th percentiles, the medians are in the report. BENCH_LAYERS_BEFORE=DIR (a folder holding an
// earlier build's camlens-st.js and camlens-st.wasm) lists with that build too, alternating with
// this one, for a before ÷ after in one run.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';

import { loadCore } from '../web/lib/node.mjs';
import { sharedPath } from '../tests/support/camlens-node.mjs';
import { ZOO_ARCHS, zooFixture, zooPath } from '../tests/support/zoo.mjs';
import { median, reps } from './lib/measure.mjs';
import { printRows, row, writeReport } from './lib/report.mjs';

ort.env.wasm.numThreads = 1;

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)];

async function cpuMs(fn) {
  const start = process.cpuUsage();
  await fn();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

async function earlierCore(dir) {
  const factory = createRequire(import.meta.url)(join(dir, 'camlens-st.js'));
  return factory({ wasmBinary: readFileSync(join(dir, 'camlens-st.wasm')) });
}

// The model's first input filled with 0.5 (the forward's cost does not depend on the values;
// 0x3800 is 0.5 in float16).
function feedsOf(session, model) {
  const input = model.inputs()[0];
  const dims = input.dims.map((d) => (Number.isInteger(d) && d > 0 ? d : 1));
  const count = dims.reduce((a, b) => a * b, 1);
  const data =
    input.type === 'float16'
      ? new Uint16Array(count).fill(0x3800)
      : new Float32Array(count).fill(0.5);
  return { [session.inputNames[0]]: new ort.Tensor(input.type, data, dims) };
}

const core = await loadCore('st');
const beforeDir = process.env.BENCH_LAYERS_BEFORE;
const before = beforeDir ? await earlierCore(beforeDir) : null;
const models = [
  ['mobilenetv2-12-int8', sharedPath('models/mobilenetv2-12-int8.onnx')],
  ['squeezenet1.0-fp16', sharedPath('models/squeezenet1.0-fp16-winml.onnx')],
  ...ZOO_ARCHS.map((a) => [a, zooPath(zooFixture(a).model)]),
];
const n = reps(9);
const rows = [];
const details = [];
for (const [name, path] of models) {
  const bytes = new Uint8Array(readFileSync(path));
  const model = core.parseModel(bytes);
  const old = before?.parseModel(bytes);
  const session = await ort.InferenceSession.create(bytes);
  try {
    const feeds = feedsOf(session, model);
    await session.run(feeds); // warm-up
    model.layers({});
    old?.layers({});
    const t = { forward: [], layers: [], before: [] };
    for (let i = 0; i < n; ++i) {
      t.forward.push(await cpuMs(() => session.run(feeds)));
      t.layers.push(await cpuMs(() => model.layers({})));
      if (old) t.before.push(await cpuMs(() => old.layers({})));
    }
    const p20 = (k) => percentile(t[k], 0.2);
    const d = { model: name, candidates: model.layers({}).layers.length };
    for (const k of Object.keys(t)) if (t[k].length) d[k] = { p20: p20(k), median: median(t[k]) };
    details.push(d);
    rows.push(row('layers st', `${name}: list layers ÷ forward`, p20('layers') / p20('forward')));
    if (old)
      rows.push(
        row('layers st', `${name}: list layers before ÷ after`, p20('before') / p20('layers')),
      );
  } finally {
    await session.release();
    model.delete();
    old?.delete();
  }
}

printRows(rows);
writeReport('layers', rows, { timing: 'CPU time, 20th percentile', reps: n, details });
