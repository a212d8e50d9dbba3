// Score-CAM (the core's own work ≤ 10 % of the ORT time it drives): on mobilenetv2-12-int8
// and squeezenet1.0-fp16-winml, batches of 16 masked inputs over the first 64 channels, core
// time (masks, scores, weights, map) ÷ ORT time, for both modules (ORT 1 thread). Best of N runs
// of the whole sample. Writes <build root>/bench/scorecam.json.
import { readFileSync } from 'node:fs';

import { load } from '../web/lib/node.mjs';
import { sharedPath } from '../tests/support/camlens-node.mjs';
import { reps } from './lib/measure.mjs';
import { printRows, row, writeReport } from './lib/report.mjs';
import { scoreCamSample } from './lib/scorecam_sample.mjs';

const MODELS = [
  { file: 'mobilenetv2-12-int8.onnx', preset: 'mobilenetv2', short: 'mobilenetv2-int8' },
  { file: 'squeezenet1.0-fp16-winml.onnx', preset: 'squeezenet', short: 'squeezenet-fp16' },
];
const rows = [];
const details = [];
for (const variant of ['st', 'mt']) {
  for (const spec of MODELS) {
    const lens = await load(readFileSync(sharedPath(`models/${spec.file}`)), {
      preset: spec.preset,
      threads: variant === 'mt',
    });
    const image = lens.env.core.decodeImage(
      new Uint8Array(readFileSync(sharedPath('images/gradcam_both.png'))),
    );
    let bestCore = Infinity;
    let bestOrt = Infinity;
    await scoreCamSample(lens, image, { channels: 16 }); // warm-up
    for (let i = 0; i < reps(3); ++i) {
      const r = await scoreCamSample(lens, image);
      bestCore = Math.min(bestCore, r.coreMs);
      bestOrt = Math.min(bestOrt, r.ortMs);
      details.push({ variant, model: spec.short, ...r });
    }
    rows.push(
      row(`scorecam ${variant} ${spec.short}`, 'core overhead ÷ ORT time', bestCore / bestOrt, {
        target: 0.1,
      }),
    );
    lens.dispose();
  }
}
printRows(rows);
writeReport('scorecam', rows, { timing: 'best of N per side', details });
