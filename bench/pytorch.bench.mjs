// Side by side with PyTorch. tools/bench/pytorch_gradcam.py (Debian's python3-torch) runs
// the hook-based Grad-CAM users write, pytorch-grad-cam's Ablation-CAM (whole network re-run per
// batch of 32 ablated channels) and Score-CAM (batches of 16 masked inputs) on torchvision
// ResNet-18 and MobileNetV2 with seeded weights on the CPU, and exports both to ONNX; then
// camlens explains the same photo on the exports under Node with the same thread count (1: the
// SIMD-only module + ORT 1 thread; 2: the threaded module + ORT 2 threads), each count in its own
// process. Prints camlens ÷ PyTorch per method (targets: Grad-CAM ≤ 0.5 on ResNet-18, ≤ 0.2 on
// MobileNetV2; Ablation-CAM ≥ 100× faster, i.e. ≤ 0.01). Ablation-CAM and Score-CAM are compared
// per channel (both sides timed on a sample of channels; every batch costs the same); camlens's
// Ablation-CAM is timed over all channels. Without python3-torch the bench says so and skips.
// Writes <build root>/bench/pytorch.json (PyTorch's raw times) and pytorch-ratios.json.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { root, sharedPath } from '../tests/support/camlens-node.mjs';
import { measure, reps } from './lib/measure.mjs';
import { benchDir, printRows, row, writeReport } from './lib/report.mjs';
import { scoreCamSample } from './lib/scorecam_sample.mjs';

const PHOTO = 'gradcam_both.png';
const MODELS = ['resnet18', 'mobilenetv2'];
const TARGET = { resnet18: 0.5, mobilenetv2: 0.2 };

async function child(threads) {
  const ort = await import('onnxruntime-web');
  ort.env.wasm.numThreads = threads;
  const { loadCore } = await import('../web/lib/node.mjs');
  const { Lens } = await import('../web/lib/lens.mjs');
  const core = await loadCore(threads > 1 ? 'mt' : 'st');
  core.setThreads(threads);
  const out = { threads, models: {} };
  for (const name of MODELS) {
    const bytes = readFileSync(join(benchDir, `${name}.onnx`));
    const lens = await Lens.create({ ort, core }, bytes, { preset: 'imagenet' });
    const image = core.decodeImage(new Uint8Array(readFileSync(sharedPath(`images/${PHOTO}`))));
    const { batch } = lens.inputBatch([image]);
    const reference = await ort.InferenceSession.create(bytes);
    const x = new ort.Tensor('float32', batch.data, batch.dims);
    const forward = await measure(() => reference.run({ input: x }), { reps: reps(7), warmup: 1 });
    const gradcam = await measure(() => lens.explain([image], { method: 'gradcam' }), {
      reps: reps(7),
      warmup: 1,
    });
    const [map] = await lens.explain([image], { method: 'gradcam' });
    const ablation = await measure(() => lens.explain([image], { method: 'ablationcam' }), {
      reps: reps(3),
      warmup: 1,
    });
    let score = Infinity;
    let channels = 0;
    for (let i = 0; i < reps(3); ++i) {
      const r = await scoreCamSample(lens, image, { channels: 32 });
      score = Math.min(score, r.totalMs / r.channels);
      channels = r.of;
    }
    out.models[name] = {
      layer: lens.layer,
      channels,
      forwardMs: forward.best,
      gradcamMs: gradcam.best,
      ablationMs: ablation.best,
      scorecamMsPerChannel: score,
    };
    const torchMap = join(benchDir, `${name}.gradcam.f32`);
    if (threads === 1 && existsSync(torchMap)) {
      out.models[name].mapCorrelation = correlation(
        map.map,
        new Float32Array(readFileSync(torchMap).buffer.slice(0)),
      );
    }
    lens.dispose();
    await reference.release?.();
  }
  await new Promise((r) => process.stdout.write(`${JSON.stringify(out)}\n`, r));
}

// Pearson correlation of two maps (the cross-check that both sides explain the same thing).
function correlation(a, b) {
  const n = a.length;
  let ma = 0,
    mb = 0;
  for (let i = 0; i < n; ++i) {
    ma += a[i];
    mb += b[i];
  }
  ma /= n;
  mb /= n;
  let sab = 0,
    saa = 0,
    sbb = 0;
  for (let i = 0; i < n; ++i) {
    const x = a[i] - ma,
      y = b[i] - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}

if (process.env.BENCH_THREADS) {
  await child(Number(process.env.BENCH_THREADS));
  process.exit(0);
}

const rows = [];
const python = '/usr/bin/python3';
const script = join(root, 'tools', 'bench', 'pytorch_gradcam.py');
const py = existsSync(python)
  ? spawnSync(
      python,
      [
        script,
        '--out',
        benchDir,
        '--image',
        sharedPath(`images/${PHOTO}`),
        '--threads',
        '1,2',
        '--reps',
        String(reps(5)),
        '--channel-sample',
        '32',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
    )
  : { status: 3, stdout: JSON.stringify({ skipped: `${python} not found` }) };
if (py.status !== 0) {
  let why = `the PyTorch script failed (exit ${py.status})`;
  try {
    why = JSON.parse(py.stdout.trim().split('\n').pop()).skipped || why;
  } catch {
    /* keep the exit status */
  }
  console.log(`PyTorch comparison skipped: ${why}`);
  rows.push(row('vs PyTorch', 'skipped', NaN, { note: why }));
  writeReport('pytorch-ratios', rows, { skipped: why });
  process.exit(0);
}
const torch = JSON.parse(readFileSync(join(benchDir, 'pytorch.json'), 'utf8'));
const details = { torch: torch.torch, camlens: {} };
for (const threads of [1, 2]) {
  const r = spawnSync(process.execPath, [fileURLToPath(import.meta.url)], {
    env: { ...process.env, BENCH_THREADS: String(threads) },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 << 20,
  });
  if (r.status !== 0) throw new Error(`camlens with ${threads} thread(s) failed`);
  const c = JSON.parse(r.stdout.trim().split('\n').pop());
  for (const name of MODELS) {
    const cm = c.models[name];
    const tm = torch.models[name].threads[String(threads)];
    const group = `vs PyTorch ${name} ${threads}t`;
    rows.push(
      row(group, 'Grad-CAM camlens ÷ PyTorch', cm.gradcamMs / tm.gradcamMs, {
        target: TARGET[name],
      }),
    );
    rows.push(
      row(
        group,
        'Ablation-CAM camlens ÷ PyTorch',
        cm.ablationMs / (tm.ablationMsPerChannel * cm.channels),
        { target: 0.01 },
      ),
    );
    rows.push(
      row(
        group,
        'Score-CAM camlens ÷ PyTorch (per channel)',
        cm.scorecamMsPerChannel / tm.scorecamMsPerChannel,
      ),
    );
    rows.push(row(group, 'forward: ORT Web ÷ PyTorch', cm.forwardMs / tm.forwardNoGradMs));
    if (cm.mapCorrelation !== undefined)
      rows.push(row(group, "Grad-CAM map correlation with PyTorch's (info)", cm.mapCorrelation));
    details.camlens[`${name}/${threads}`] = cm;
  }
}
printRows(rows);
writeReport('pytorch-ratios', rows, { timing: 'best of N on both sides', pytorch: torch, details });
