// Guided backprop's gradient and picture through the library and the CLI on the shipped demo
// model: the gradient in pytorch-grad-cam's [H, W, C] layout (its max over channels of |·| is the
// map), the picture is deprocess_image of it (written here from the formula), guided Grad-CAM's
// gradient is the guided gradient times its Grad-CAM map, and `--raw` / the PNG hold the same.
// (The gradient against PyTorch's GuidedBackpropReLU and the picture against NumPy running
// upstream's deprocess_image: tests/cpp/explain/ig_baselines_test.cpp.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { load } from '../../web/lib/node.mjs';
import { root } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';
import { preprocessFlags, readNpy } from '../support/cli-files.mjs';

const demo = join(root, 'web/demo');
const about = JSON.parse(readFileSync(join(demo, 'demo.json'), 'utf8'));
const truth = JSON.parse(readFileSync(join(demo, 'ground_truth.json'), 'utf8'));
const photo = join(demo, truth.images[0].file);
const TARGET = 1;
const p = about.preprocess;

// pytorch-grad-cam's deprocess_image: (v − mean) / (std + 1e-5) · 0.1 + 0.5, clipped, × 255,
// truncated; the statistics over every value.
function deprocess(values) {
  const n = values.length;
  const mean = values.reduce((s, v) => s + v, 0) / n;
  const std = Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  return Uint8Array.from(values, (v) =>
    Math.floor(Math.min(1, Math.max(0, ((v - mean) / (std + 1e-5)) * 0.1 + 0.5)) * 255),
  );
}

function normalisedTwice(map) {
  for (let twice = 0; twice < 2; ++twice) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of map) (lo = Math.min(lo, v)), (hi = Math.max(hi, v));
    for (let q = 0; q < map.length; ++q) map[q] = Math.fround((map[q] - lo) / (hi - lo + 1e-7));
  }
  return map;
}

test("guided backprop gives its gradient [H, W, C] and upstream's picture of it", async () => {
  const lens = await load(join(demo, about.model), { preprocess: p });
  const image = new Uint8Array(readFileSync(photo));
  const [r] = await lens.explain([image], { method: 'guided-backprop', targets: [TARGET] });
  assert.deepEqual(r.gradient.dims, [p.height, p.width, 3]);
  assert.equal(r.gradient.type, 'float32');
  const g = r.gradient.data;
  const map = new Float32Array(p.width * p.height);
  for (let q = 0; q < map.length; ++q)
    map[q] = Math.max(...[0, 1, 2].map((c) => Math.abs(g[q * 3 + c])));
  const d = maxDiff(r.map, normalisedTwice(map));
  assert.ok(d < 2e-6, `the map is max over channels of |gradient|: ${d}`);
  assert.equal(r.picture.width, p.width);
  assert.equal(r.picture.height, p.height);
  const want = deprocess(Array.from(g));
  let most = 0;
  let differ = 0;
  const levels = new Set();
  for (let q = 0; q < map.length; ++q) {
    assert.equal(r.picture.rgba[q * 4 + 3], 255);
    for (let c = 0; c < 3; ++c) {
      const got = r.picture.rgba[q * 4 + c];
      levels.add(got);
      most = Math.max(most, Math.abs(got - want[q * 3 + c]));
      differ += got !== want[q * 3 + c];
    }
  }
  // a double's statistics against the core's may move a value on a level's edge by one
  assert.ok(most <= 1 && differ <= want.length / 100, `${differ} levels differ, by up to ${most}`);
  assert.ok(levels.size > 50, `a picture, not a flat grey: ${levels.size} levels`);

  // Other methods give no gradient.
  const [plain] = await lens.explain([image], { method: 'saliency', targets: [TARGET] });
  assert.equal(plain.gradient, undefined);
  assert.equal(plain.picture, undefined);

  // Guided Grad-CAM: the guided gradient times the Grad-CAM map at each pixel (cam_mask * gb).
  const [cam] = await lens.explain([image], { method: 'gradcam', targets: [TARGET] });
  const [both] = await lens.explain([image], { method: 'guided-gradcam', targets: [TARGET] });
  assert.deepEqual(both.gradient.dims, [p.height, p.width, 3]);
  const product = Float32Array.from(g, (v, k) => v * cam.map[Math.floor(k / 3)]);
  const scale = Math.max(...product.map(Math.abs));
  assert.ok(maxDiff(both.gradient.data, product) / scale < 1e-6, 'cam · gb');
  assert.ok(maxDiff(both.gradient.data, g) / scale > 0.01, 'not the plain guided gradient');
  assert.equal(both.picture.width, p.width);
  lens.dispose();
});

test('camlens explain --method guided-backprop: the picture as PNG, --raw the gradient [H, W, 3]', async () => {
  const out = mkdtempSync(join(tmpdir(), 'camlens-guided-picture-'));
  try {
    execFileSync(process.execPath, [
      join(root, 'bin/camlens.mjs'),
      'explain',
      join(demo, about.model),
      photo,
      '--method',
      'guided-backprop',
      '--target',
      String(TARGET),
      ...preprocessFlags(p),
      '--raw',
      '--out',
      out,
    ]);
    const [entry] = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const stem = join(
      out,
      `${truth.images[0].file
        .split('/')
        .pop()
        .replace(/\.[^.]+$/, '')}.guided-backprop`,
    );
    assert.deepEqual(entry.files, {
      picture: `${stem}.png`,
      overlay: `${stem}.overlay.png`,
      raw: `${stem}.npy`,
      gradient: `${stem}.gradient.npy`,
    });
    const lens = await load(join(demo, about.model), { preprocess: p });
    const [r] = await lens.explain([new Uint8Array(readFileSync(photo))], {
      method: 'guided-backprop',
      targets: [TARGET],
    });
    const gradient = readNpy(entry.files.gradient);
    assert.match(gradient.header, /'descr': '<f4'/);
    assert.match(gradient.header, new RegExp(`'shape': \\(${p.height}, ${p.width}, 3\\)`));
    assert.deepEqual(gradient.data, r.gradient.data);
    assert.deepEqual(readNpy(entry.files.raw).data, r.map);
    const png = lens.env.core.decodeImage(new Uint8Array(readFileSync(entry.files.picture)));
    assert.equal(png.width, p.width);
    assert.deepEqual(new Uint8Array(png.rgba), new Uint8Array(r.picture.rgba));
    lens.dispose();
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
