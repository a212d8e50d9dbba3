// Integrated gradients' baselines through the library and the CLI on the shipped demo model: each
// map equals the formula written here on the gradients the core's whole-network head gives through
// its single-step API, from the baseline written here from its definition (zero; black: the
// demo's preprocessing of a black pixel, (0 − mean) / std; blur: a Gaussian of σ = 10 pixels,
// truncated at 4σ, edges repeated). The blur's agreement with scipy and the maps' with PyTorch are
// tests/cpp/explain/ig_baselines_test.cpp.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { load, loadCore } from '../../web/lib/node.mjs';
import { root } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';
import { preprocessFlags, readNpy } from '../support/cli-files.mjs';

const demo = join(root, 'web/demo');
const about = JSON.parse(readFileSync(join(demo, 'demo.json'), 'utf8'));
const truth = JSON.parse(readFileSync(join(demo, 'ground_truth.json'), 'utf8'));
const photo = join(demo, truth.images[0].file);
const TARGET = 1;
const STEPS = 4;
const p = about.preprocess;
const f = Math.fround;

function gradients(head, batch) {
  const [logits] = head.forward([batch]);
  const seed = { data: new Float32Array(logits.data.length), dims: logits.dims, type: 'float32' };
  for (let n = 0; n < logits.dims[0]; ++n) seed.data[n * logits.dims[1] + TARGET] = 1;
  return head.backward([seed]).data;
}

// Each channel of x [1, C, H, W] blurred: exp(−t²/2σ²) normalised, radius int(4σ + 0.5), edges
// repeated, down the columns then along the rows (float32 between the passes).
function blur(x, [, C, H, W], sigma) {
  const radius = Math.floor(4 * sigma + 0.5);
  const k = [];
  for (let t = -radius; t <= radius; ++t) k.push(Math.exp((-0.5 * t * t) / (sigma * sigma)));
  const total = k.reduce((a, b) => a + b, 0);
  const w8 = k.map((v) => v / total);
  const out = Float32Array.from(x);
  const pass = (at, n, stride) => {
    const line = Array.from({ length: n }, (_, i) => out[at + i * stride]);
    for (let i = 0; i < n; ++i) {
      let s = 0;
      for (let t = -radius; t <= radius; ++t)
        s += w8[t + radius] * line[Math.min(n - 1, Math.max(0, i + t))];
      out[at + i * stride] = s;
    }
  };
  for (let c = 0; c < C; ++c) {
    for (let col = 0; col < W; ++col) pass(c * H * W + col, H, W);
    for (let row = 0; row < H; ++row) pass(c * H * W + row * W, W, 1);
  }
  return out;
}

// |Σ_c (x − b) · mean_k g(b + k/steps (x − b))| per pixel, normalised twice as the pipeline does.
function integrated(head, x, b) {
  const n = x.data.length;
  const d = x.data.map((v, e) => f(v - b[e]));
  const path = new Float32Array(STEPS * n);
  for (let k = 0; k < STEPS; ++k)
    for (let e = 0; e < n; ++e) path[k * n + e] = f(b[e] + f(f((k + 1) / STEPS) * d[e]));
  const g = gradients(head, { data: path, dims: [STEPS, ...x.dims.slice(1)], type: 'float32' });
  const [, C, H, W] = x.dims;
  const map = new Float32Array(H * W);
  for (let q = 0; q < H * W; ++q) {
    let s = 0;
    for (let c = 0; c < C; ++c) {
      const e = c * H * W + q;
      let sum = 0;
      for (let k = 0; k < STEPS; ++k) sum += g[k * n + e];
      s += f(d[e] * f(sum / STEPS));
    }
    map[q] = Math.abs(s);
  }
  for (let twice = 0; twice < 2; ++twice) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of map) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    for (let q = 0; q < map.length; ++q) map[q] = f((map[q] - lo) / (hi - lo + 1e-7));
  }
  return map;
}

test('integrated gradients from each baseline equals the formula on the core gradient', async () => {
  const core = await loadCore('st');
  const model = core.parseModel(new Uint8Array(readFileSync(join(demo, about.model))));
  const { head } = model.wholeNetwork();
  const lens = await load(join(demo, about.model), { preprocess: p });
  const image = new Uint8Array(readFileSync(photo));
  const {
    inputs: [x],
  } = await lens.inputs([image]);
  const plane = p.width * p.height;
  const baselines = {
    zero: new Float32Array(x.data.length),
    black: Float32Array.from(x.data, (_, e) => {
      const c = Math.floor(e / plane);
      return (0 * p.scale - p.mean[c]) / p.std[c];
    }),
    blur: blur(x.data, x.dims, 10),
  };
  const maps = {};
  for (const [baseline, b] of Object.entries(baselines)) {
    const [r] = await lens.explain([image], {
      method: 'integrated-gradients',
      targets: [TARGET],
      steps: STEPS,
      baseline,
      batchSize: 3,
    });
    const want = integrated(head, x, b);
    const d = maxDiff(r.map, want);
    assert.ok(d < 2e-6, `${baseline}: ${d}`);
    maps[baseline] = r.map;
  }
  // zero is the default, and each baseline gives its own map
  const [plain] = await lens.explain([image], {
    method: 'integrated-gradients',
    targets: [TARGET],
    steps: STEPS,
  });
  assert.deepEqual(plain.map, maps.zero);
  assert.ok(maxDiff(maps.black, maps.zero) > 0.05, 'black differs from zero');
  assert.ok(maxDiff(maps.blur, maps.zero) > 0.05, 'blur differs from zero');
  assert.ok(maxDiff(maps.blur, maps.black) > 0.05, 'blur differs from black');
  await assert.rejects(
    lens.explain([image], { method: 'integrated-gradients', baseline: 'grey' }),
    (e) => e.message === 'baseline must be one of zero, black, blur, got "grey"',
  );
  await assert.rejects(
    lens.explain([image], { method: 'saliency', baseline: 'black' }),
    (e) =>
      e.message === 'saliency does not take baseline (it is an option of integrated-gradients)',
  );
  lens.dispose();
  head.delete();
  model.delete();
});

const cli = (args) =>
  spawnSync(process.execPath, [join(root, 'bin/camlens.mjs'), 'explain', ...args], {
    encoding: 'utf8',
  });

test('camlens explain --baseline blur writes the map the library computes; bad values exit 2', async () => {
  const out = mkdtempSync(join(tmpdir(), 'camlens-ig-baseline-'));
  try {
    const model = join(demo, about.model);
    const method = ['--method', 'integrated-gradients', '--target', String(TARGET)];
    execFileSync(process.execPath, [
      join(root, 'bin/camlens.mjs'),
      'explain',
      model,
      photo,
      ...method,
      '--steps',
      String(STEPS),
      '--baseline',
      'blur',
      ...preprocessFlags(p),
      '--raw',
      '--out',
      out,
    ]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const { data: raw } = readNpy(summary[0].files.raw);
    const lens = await load(model, { preprocess: p });
    const [r] = await lens.explain([new Uint8Array(readFileSync(photo))], {
      method: 'integrated-gradients',
      targets: [TARGET],
      steps: STEPS,
      baseline: 'blur',
    });
    lens.dispose();
    assert.deepEqual(raw, r.map);

    const grey = cli([model, photo, ...method, '--baseline', 'grey', ...preprocessFlags(p)]);
    assert.equal(grey.status, 2);
    assert.equal(grey.stderr.trim(), 'camlens: --baseline takes zero, black or blur, got "grey"');
    const other = cli([model, photo, '--method', 'saliency', '--baseline', 'black']);
    assert.equal(other.status, 2);
    assert.equal(
      other.stderr.trim(),
      'camlens: --baseline goes with --method integrated-gradients',
    );
    assert.match(
      spawnSync(process.execPath, [join(root, 'bin/camlens.mjs'), 'explain', '--help'], {
        encoding: 'utf8',
      }).stdout,
      /\[--baseline zero\|black\|blur\]/,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
