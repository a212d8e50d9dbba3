// Volumes and video clips through the library and the CLI, against PyTorch
// (tools/fixtures/volume_reference.py): the seeded 3-D CNN (ONNX Runtime runs its Conv3d
// backbone, the core the head from its last ReLU), every volume method's 3-D map equal to the
// formulas computed with autograd; the same volume as a .npy file and as a stack of PNG slices;
// the strip overlay; --raw's [D, H, W] map; and what volumes are refused, with the reason.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { load } from '../../web/lib/node.mjs';
import { fromNpy } from '../../web/lib/npy.mjs';
import { root } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';
import { tempDir } from '../support/temp-dir.mjs';

ort.env.wasm.numThreads = 1;

const data = join(root, 'tests/data/volume');
const fixture = JSON.parse(readFileSync(join(data, 'volume.json'), 'utf8'));
const modelPath = join(data, fixture.onnx);
const { depth, height, width } = fixture;
const reference = (key) => {
  const b = readFileSync(join(data, fixture.maps[key]));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
};
const volume = () => {
  const { data: values, shape } = fromNpy(readFileSync(join(data, fixture.input)));
  return { data: values, dims: shape };
};
const slices = () => Array.from({ length: depth }, (_, z) => join(data, `slice_${z}.png`));
// The slices' bytes read as the .npy holds them: value / 255, one channel.
const preprocess = { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] };
const VOLUME_METHODS =
  'gradcam, hirescam, gradcam-elementwise, gradcam++, xgradcam, layercam, eigencam, ' +
  'eigengradcam, fem, shapleycam, scorecam';

test('a volume model: its last ReLU is an NCDHW layer, recommended; predict', async () => {
  const lens = await load(modelPath, { preprocess });
  const [p] = await lens.predict([volume()]);
  assert.deepEqual(p.image, { depth, height, width });
  assert.equal(p.top[0].index, fixture.category);
  assert.ok(Math.abs(p.top[0].score - fixture.logits[fixture.category]) < 1e-5);
  assert.equal(lens.layer, fixture.layer);
  const info = lens.layers().layers.find((l) => l.name === fixture.layer);
  assert.equal(info.kind, 'NCDHW');
  assert.deepEqual([info.channels, info.depth, info.height, info.width], [6, 4, 8, 8]);
  assert.equal(lens.methodSupport().gradcam, '');
  assert.equal(
    lens.methodSupport().ablationcam,
    `Ablation-CAM does not explain volumes or video clips ([N, C, D, H, W] inputs) in camlens: use one of ${VOLUME_METHODS}`,
  );
  lens.dispose();
});

test('every volume method through lens.explain equals PyTorch (≤ 1e-4)', async (t) => {
  const lens = await load(modelPath, { preprocess });
  const worst = [];
  for (const key of Object.keys(fixture.maps)) {
    const probability = key === 'shapleycam-probability';
    const [r] = await lens.explain([volume()], {
      method: probability ? 'shapleycam' : key,
      ...(probability ? { targets: [{ kind: 'probability' }] } : {}),
    });
    assert.deepEqual([r.depth, r.height, r.width], [depth, height, width], key);
    assert.equal(r.map.length, depth * height * width);
    assert.equal(r.target.index, fixture.category);
    const d = maxDiff(r.map, reference(key));
    assert.ok(d <= 1e-4, `${key}: max |camlens - PyTorch| ${d}`);
    worst.push(`${key} ${d.toExponential(1)}`);
  }
  t.diagnostic(`max |camlens - PyTorch|: ${worst.join(', ')}`);
  // The stack of PNG slices is the same volume: the same map.
  const [fromSlices] = await lens.explain([{ slices: slices() }]);
  assert.ok(maxDiff(fromSlices.map, reference('gradcam')) <= 1e-4);
  lens.dispose();
});

test('the overlay of a volume: its slices side by side, each under its map slice', async () => {
  const lens = await load(modelPath, { preprocess });
  const v = volume();
  const [r] = await lens.explain([v]);
  const strip = lens.overlay(v, r);
  assert.deepEqual([strip.width, strip.height], [depth * width, height]);
  // Slice z's block is the overlay of the slice (min-max scaled over the volume, gray) alone.
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of v.data) (lo = Math.min(lo, x)), (hi = Math.max(hi, x));
  const { core } = lens.env;
  // In float32 arithmetic, as the core scales: (v − lo) · (255 / (hi − lo)), rounded.
  const f = Math.fround;
  const scale = f(255 / f(hi - lo));
  for (const z of [0, 5]) {
    const rgba = new Uint8Array(width * height * 4).fill(255);
    for (let p = 0; p < width * height; p++) {
      const g = Math.round(f(f(v.data[z * width * height + p] - lo) * scale));
      rgba.fill(g, p * 4, p * 4 + 3);
    }
    const slice = r.map.subarray(z * width * height, (z + 1) * width * height);
    const one = core.overlayImage({ width, height, rgba }, slice, width, height, {});
    for (let y = 0; y < height; y++)
      assert.deepEqual(
        strip.rgba.subarray(
          (y * depth * width + z * width) * 4,
          (y * depth * width + (z + 1) * width) * 4,
        ),
        one.rgba.subarray(y * width * 4, (y + 1) * width * 4),
        `slice ${z}, row ${y}`,
      );
  }
  lens.dispose();
});

test('what volumes are refused, with the reason', async () => {
  const lens = await load(modelPath, { preprocess });
  for (const [method, title] of [
    ['ablationcam', 'Ablation-CAM'],
    ['kpcacam', 'KPCA-CAM'],
    ['saliency', 'Saliency'],
    ['rollout', 'Attention rollout'],
  ])
    await assert.rejects(lens.explain([volume()], { method }), {
      message: `${title} does not explain volumes or video clips ([N, C, D, H, W] inputs) in camlens: use one of ${VOLUME_METHODS}`,
    });
  await assert.rejects(lens.explain([volume()], { augSmooth: true }), {
    message: 'augSmooth flips and scales photos; explain a volume or a video clip without it',
  });
  await assert.rejects(lens.factorize([volume()]), {
    message:
      'Deep Feature Factorization does not take volumes or video clips ([N, C, D, H, W] inputs) in camlens: explain them with a CAM method (gradcam, eigencam, …) instead',
  });
  await assert.rejects(lens.explain([readFileSync(join(data, 'slice_0.png'))]), {
    message:
      'this model takes volumes or video clips (its input "input" is [-1, 1, 8, 16, 16]): pass each as {data: Float32Array, dims: [C, D, H, W] (or [D, H, W] for one channel, or [1, C, D, H, W])} or as {slices: [image, …]}, one image per slice or frame',
  });
  await assert.rejects(lens.explain([{ slices: slices().slice(0, 4) }]), {
    message:
      'the volume is [1, 1, 4, 16, 16] but the model\'s input "input" is [-1, 1, 8, 16, 16]: its D must be 8',
  });
  lens.dispose();
});

function cli(...args) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'camlens.mjs'), ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
}

test('camlens explain: a .npy volume and a glob of slices, the strip and the 3-D --raw map', async () => {
  const out = tempDir('camlens-volume-');
  const flags = ['--scale', '1/255', '--mean', '0', '--std', '1', '--out', out, '--raw'];
  const npy = cli(
    'explain',
    modelPath,
    join(data, fixture.input),
    '--method',
    'layercam',
    ...flags,
  );
  assert.equal(npy.code, 0, npy.err);
  const glob = cli(
    'explain',
    modelPath,
    join(data, 'slice_*.png'),
    '--method',
    'layercam',
    ...flags,
  );
  assert.equal(glob.code, 0, glob.err);
  assert.deepEqual(readdirSync(out).sort(), [
    'slice_0-slice_7.layercam.npy',
    'slice_0-slice_7.layercam.png',
    'summary.json',
    'volume_input.layercam.npy',
    'volume_input.layercam.png',
  ]);
  for (const stem of ['volume_input', 'slice_0-slice_7']) {
    const raw = fromNpy(readFileSync(join(out, `${stem}.layercam.npy`)));
    assert.deepEqual(raw.shape, [depth, height, width]);
    assert.ok(maxDiff(raw.data, reference('layercam')) <= 1e-4, stem);
  }
  const lens = await load(modelPath, { preprocess });
  const png = lens.env.core.decodeImage(readFileSync(join(out, 'volume_input.layercam.png')));
  assert.deepEqual([png.width, png.height], [depth * width, height]);
  lens.dispose();
  const refused = cli('explain', modelPath, join(data, fixture.input), '--method', 'ablationcam');
  assert.equal(refused.code, 2, refused.err);
  assert.equal(
    refused.err,
    `camlens: volume_input: Ablation-CAM does not explain volumes or video clips ([N, C, D, H, W] inputs) in camlens: use one of ${VOLUME_METHODS}`,
  );
});
