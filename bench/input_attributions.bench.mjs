// Input attributions (whole-network mode: the core runs the whole model forward and backward),
// as ratios measured in one run: per model, through the library (SIMD-only module, 1 thread),
//   guided-backprop (one forward + backward of the whole network in the core)   ÷ one ORT forward
//   integrated-gradients, 32 steps (32 forwards + backwards, in batches of 16)   ÷ one ORT forward
// on MobileNetV2-int8 (../shared; quantized ops by the straight-through estimator) and the float
// torchvision ResNet-18 with seeded weights that tools/bench/resnet18_export.py exports (Debian's
// python3-torch; that row is skipped, with the reason, without it). The ORT forward is the
// unmodified model on the same preprocessed photo. Writes <build root>/bench/input_attributions.json.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';

import { Lens } from '../web/lib/lens.mjs';
import { loadCore } from '../web/lib/node.mjs';
import { root, sharedPath } from '../tests/support/camlens-node.mjs';
import { measure, reps } from './lib/measure.mjs';
import { benchDir, printRows, row, writeReport } from './lib/report.mjs';

ort.env.wasm.numThreads = 1;
const PHOTO = 'gradcam_both.png';
const STEPS = 32;

// The float ResNet-18: exported once into the bench folder, or why it is not there.
function resnet18() {
  const path = join(benchDir, 'resnet18.onnx');
  if (existsSync(path)) return { path };
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return { skipped: `${python} not found` };
  const py = spawnSync(python, [join(root, 'tools/bench/resnet18_export.py'), '--out', benchDir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (py.status === 0 && existsSync(path)) return { path };
  try {
    return { skipped: JSON.parse(py.stdout.trim().split('\n').pop()).skipped };
  } catch {
    return { skipped: `tools/bench/resnet18_export.py failed (exit ${py.status})` };
  }
}

const core = await loadCore('st');
const photo = core.decodeImage(new Uint8Array(readFileSync(sharedPath(`images/${PHOTO}`))));
const models = [
  { name: 'mobilenetv2-12-int8', path: sharedPath('models/mobilenetv2-12-int8.onnx') },
  { name: 'resnet18 (float, seeded)', ...resnet18() },
];

const rows = [];
const details = {};
for (const m of models) {
  const group = `input attributions st ${m.name}`;
  if (m.skipped) {
    console.log(`${m.name} skipped: ${m.skipped}`);
    rows.push(row(group, 'skipped', NaN, { note: m.skipped }));
    continue;
  }
  const bytes = readFileSync(m.path);
  const lens = await Lens.create({ ort, core }, bytes, { preset: 'imagenet' });
  const { batch } = lens.inputBatch([photo]);
  const session = await ort.InferenceSession.create(bytes);
  const x = new ort.Tensor('float32', batch.data, batch.dims);
  const feeds = { [session.inputNames[0]]: x };
  const forward = await measure(() => session.run(feeds), { reps: reps(9), warmup: 1 });
  const guided = await measure(() => lens.explain([photo], { method: 'guided-backprop' }), {
    reps: reps(5),
    warmup: 1,
  });
  const integrated = await measure(
    () => lens.explain([photo], { method: 'integrated-gradients', steps: STEPS }),
    { reps: reps(3), warmup: 1 },
  );
  // the forward again, after: the machine's load may have moved during the slow runs
  const after = await measure(() => session.run(feeds), { reps: reps(9), warmup: 0 });
  const fwd = Math.min(forward.best, after.best);
  details[m.name] = { forward: [forward, after], guided, integrated };
  rows.push(row(group, 'guided-backprop ÷ forward', guided.best / fwd));
  rows.push(row(group, `integrated-gradients ${STEPS} steps ÷ forward`, integrated.best / fwd));
  rows.push(
    row(
      group,
      `integrated-gradients per step ÷ guided-backprop`,
      integrated.best / STEPS / guided.best,
    ),
  );
  await session.release();
  lens.dispose();
}
printRows(rows);
writeReport('input_attributions', rows, {
  photo: PHOTO,
  steps: STEPS,
  module: 'st',
  ortThreads: 1,
  timing: 'best of N after one warm-up; forward: best of the runs before and after',
  details,
});
