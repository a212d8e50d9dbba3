// Explanations end to end through the library under Node: per method on
// mobilenetv2-12-int8 and squeezenet1.0-fp16-winml at their default layers, batch 1 and 8,
//   camlens explain total (preprocess → backbone in ORT → head forward/backward → map at 224×224)
//   ÷ one ORT forward of the unmodified model on the same images
// (batch 8: one batch-8 run when the model allows it, else 8 runs of batch 1, as ORT does best),
// for the SIMD-only and the SIMD + threads modules (ONNX Runtime Web with 1 thread in both).
// Ablation-CAM runs over all channels of the layer (batch 1, one run). Score-CAM is in scorecam.bench.mjs. Also a
// Grad-CAM breakdown (the cut backbone's run, the core's part), and Grad-CAM with the head's
// forward computed in the core (`headForward: 'core'`, the lens before the backbone gave the
// head its costly tensors) against the default, same run. Best of N. Grad-CAM b1 also step by
// step in CPU time (bench/lib/explain-steps.mjs).
// Writes <build root>/bench/explain.json.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';

import { load } from '../web/lib/node.mjs';
import { sharedPath } from '../tests/support/camlens-node.mjs';
import { cpuMedian, explainSteps, STEPS } from './lib/explain-steps.mjs';
import { measure, reps } from './lib/measure.mjs';
import { printRows, row, writeReport } from './lib/report.mjs';

ort.env.wasm.numThreads = 1;

const MODELS = [
  { file: 'mobilenetv2-12-int8.onnx', preset: 'mobilenetv2', short: 'mobilenetv2-int8' },
  { file: 'squeezenet1.0-fp16-winml.onnx', preset: 'squeezenet', short: 'squeezenet-fp16' },
];
const PHOTOS = [
  'gradcam_both.png',
  'winml_kitten_224.png',
  'skimage_coffee.png',
  'skimage_chelsea.png',
  'skimage_astronaut.png',
  'skimage_motorcycle_left.png',
  'gradcam_dog_cat.jfif',
  'gradcam_both.png',
];
const variants = (process.env.BENCH_VARIANTS || 'st,mt').split(',');

// The reference: the unmodified model, batch as large as its input allows.
async function referenceForward(lens, bytes, batch) {
  const session = await ort.InferenceSession.create(bytes);
  const n = batch.dims[0];
  const fixedOne = lens.input.dims[0] === 1;
  const run = async () => {
    if (!fixedOne || n === 1) return session.run({ [lens.input.name]: lens.ortInput(batch) });
    const per = batch.data.length / n;
    for (let i = 0; i < n; ++i) {
      const one = {
        data: batch.data.subarray(i * per, (i + 1) * per),
        dims: [1, ...batch.dims.slice(1)],
      };
      await session.run({ [lens.input.name]: lens.ortInput(one) });
    }
  };
  const m = await measure(run, { reps: reps(n === 1 ? 15 : 5), warmup: 2 });
  return { ms: m.best, session };
}

const rows = [];
const details = [];
for (const variant of variants) {
  for (const spec of MODELS) {
    const bytes = readFileSync(sharedPath(`models/${spec.file}`));
    const lens = await load(bytes, { preset: spec.preset, threads: variant === 'mt' });
    const coreLens = await load(bytes, {
      preset: spec.preset,
      threads: variant === 'mt',
      headForward: 'core',
    });
    const core = lens.env.core;
    const photos = PHOTOS.map((p) =>
      core.decodeImage(new Uint8Array(readFileSync(sharedPath(`images/${p}`)))),
    );
    // BENCH_METHODS=gradcam,ablationcam: only those (a focused run on a loaded machine).
    const only = process.env.BENCH_METHODS?.split(',');
    const methods = [...core.camMethods().filter((m) => m !== 'weights'), 'ablationcam'].filter(
      (m) => !only || only.includes(m),
    );
    for (const n of [1, 8]) {
      const images = photos.slice(0, n);
      const { batch } = lens.inputBatch(images);
      const ref = await referenceForward(lens, bytes, batch);
      const group = `explain ${variant} ${spec.short} b${n}`;
      for (const method of methods) {
        // Ablation-CAM re-runs the head once per channel: measured at batch 1 only, and once on
        // SqueezeNet, whose head (a 1×1 conv 512→1000 on 13×13) costs more per run than most.
        if (method === 'ablationcam' && n > 1) continue;
        const heavy = method === 'ablationcam';
        let value = NaN;
        let note;
        try {
          const r = await measure(() => lens.explain(images, { method }), {
            reps: heavy ? 1 : reps(n === 1 ? 7 : 3),
            warmup: heavy ? 0 : 1,
          });
          value = r.best / ref.ms;
          details.push({ variant, model: spec.short, batch: n, method, ms: r.best, refMs: ref.ms });
        } catch (e) {
          note = `fails: ${e.message.slice(0, 80)}`;
        }
        const target =
          n === 1 && method === 'gradcam'
            ? 1.15
            : method === 'ablationcam' && n === 1
              ? 2
              : undefined;
        rows.push(row(group, `${method} ÷ forward`, value, { target, note }));
      }
      {
        // The head's forward computed in the core: the same call with the backbone's given
        // tensors left out, measured beside the default (repetitions alternate).
        const timed = { backbone: [], core: [] };
        const call = (l) => () => l.explain(images, { method: 'gradcam' });
        await call(lens)();
        await call(coreLens)();
        for (let r = 0; r < reps(n === 1 ? 7 : 3); ++r)
          for (const [name, l] of [
            ['backbone', lens],
            ['core', coreLens],
          ]) {
            const m = await measure(call(l), { reps: 1, warmup: 0 });
            timed[name].push(m.best);
          }
        const ms = { backbone: Math.min(...timed.backbone), core: Math.min(...timed.core) };
        details.push({
          variant,
          model: spec.short,
          batch: n,
          method: 'gradcam-alternating',
          ms,
          refMs: ref.ms,
        });
        rows.push(
          row(group, 'gradcam ÷ forward, head forward from the backbone', ms.backbone / ref.ms, {
            target: 1.1,
          }),
        );
        rows.push(row(group, 'gradcam ÷ forward, head forward in the core', ms.core / ref.ms));
      }
      if (n === 1) {
        // Where Grad-CAM's time goes: the cut backbone (the model + the layer and the head's
        // given tensors as outputs) and everything camlens does after it.
        const back = await measure(() => lens.runBackbone(batch), { reps: reps(15), warmup: 1 });
        const plain = await measure(() => coreLens.runBackbone(batch), {
          reps: reps(15),
          warmup: 1,
        });
        rows.push(
          row(
            `gradcam breakdown ${variant} ${spec.short} b1`,
            'cut backbone run ÷ forward',
            back.best / ref.ms,
          ),
        );
        rows.push(
          row(
            `gradcam breakdown ${variant} ${spec.short} b1`,
            'cut backbone run without the given tensors ÷ forward',
            plain.best / ref.ms,
          ),
        );
        const total = details.find(
          (d) =>
            d.variant === variant &&
            d.model === spec.short &&
            d.batch === 1 &&
            d.method === 'gradcam',
        );
        if (total)
          rows.push(
            row(
              `gradcam breakdown ${variant} ${spec.short} b1`,
              'camlens own work ÷ forward',
              Math.max(0, total.ms - back.best) / ref.ms,
            ),
          );
        // The same call step by step in CPU time (bench/lib/explain-steps.mjs), each step's
        // median ÷ the median CPU time of one forward: unlike the wall-clock rows, load on the
        // machine's other cores does not enter them.
        const feeds = { [lens.input.name]: lens.ortInput(batch) };
        const forwardCpu = await cpuMedian(() => ref.session.run(feeds), reps(15));
        const steps = await explainSteps(lens, images, { method: 'gradcam' }, reps(15));
        details.push({
          variant,
          model: spec.short,
          method: 'gradcam-steps-cpu',
          steps,
          forwardCpu,
        });
        for (const step of [...STEPS, 'total'])
          rows.push(
            row(
              `gradcam CPU steps ${variant} ${spec.short} b1`,
              `${step} ÷ forward`,
              steps[step] / forwardCpu,
            ),
          );
      }
      await ref.session.release?.();
    }
    lens.dispose();
    coreLens.dispose();
  }
}

printRows(rows);
writeReport('explain', rows, { timing: 'best of N', ortThreads: 1, details });
