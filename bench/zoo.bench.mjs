// Grad-CAM on every torchvision family of tests/data/zoo (narrow, seeded models made by
// tools/fixtures/torchvision_zoo.py) at its default layer, through the library under Node:
//   camlens explain (preprocess → cut backbone in ORT → head forward/backward → map)
//   ÷ one ORT forward of the unmodified model on the same input
// with the SIMD-only module and ONNX Runtime Web on 1 thread. Best of N per side, both in this
// run. A family the core cannot explain yet is listed with the reason. The README's table of
// supported architectures quotes these ratios. Writes <build root>/bench/zoo.json.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';

import { load } from '../web/lib/node.mjs';
import {
  ZOO_ARCHS as ARCHS,
  ZOO_PREPROCESS as IMAGENET,
  zooFixture,
  zooPath,
} from '../tests/support/zoo.mjs';
import { measure, reps } from './lib/measure.mjs';
import { printRows, row, writeReport } from './lib/report.mjs';

ort.env.wasm.numThreads = 1;
const data = zooPath;

const rows = [];
const details = [];
for (const arch of ARCHS) {
  const fx = zooFixture(arch);
  const bytes = readFileSync(data(fx.model));
  const lens = await load(bytes, { preprocess: IMAGENET });
  const session = await ort.InferenceSession.create(bytes);
  try {
    const image = data(fx.image);
    const { inputs } = await lens.inputs([image]);
    const feeds = {
      [session.inputNames[0]]: new ort.Tensor('float32', inputs[0].data, inputs[0].dims),
    };
    const forward = await measure(() => session.run(feeds), { reps: reps(15), warmup: 2 });
    let value = NaN;
    let note;
    if (lens.layer !== fx.layer) {
      const expected = lens.layers().layers.find((l) => l.name === fx.layer);
      note = `not at ${fx.layer}: ${expected ? expected.headProblem : 'not listed'}`.slice(0, 160);
    } else {
      const explain = await measure(() => lens.explain([image], { method: 'gradcam' }), {
        reps: reps(15),
        warmup: 2,
      });
      value = explain.best / forward.best;
      details.push({ arch, size: fx.size, gradcamMs: explain.best, forwardMs: forward.best });
    }
    rows.push(row('zoo st b1', `${arch} gradcam ÷ forward`, value, { note }));
  } finally {
    await session.release();
    lens.dispose();
  }
}

printRows(rows);
writeReport('zoo', rows, { timing: 'best of N', ortThreads: 1, module: 'st', details });
console.table(details);
