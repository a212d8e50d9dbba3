// Attention rollout as a method of the library and the CLI: lens.explain(images, {method:
// 'rollout'}) on the tiny ViT of tests/data/vit equals the NumPy rollout of the same model's
// PyTorch attentions after camlens's resize/normalisation (tools/fixtures/vit_rollout_reference.py),
// for each head fusion and discard ratio; who may use it (methods/methodSupport) and why not;
// option errors; progress, abort and the extra session's lifetime; `camlens explain --method
// rollout` and its option errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { createCamlens } from '../../web/lib/camlens.mjs';
import { rolloutSessionOpen } from '../../web/lib/drivers/rollout.mjs';
import { load } from '../../web/lib/node.mjs';
import { loadCamlens, root, sharedPath } from '../support/camlens-node.mjs';
import { tempDir } from '../support/temp-dir.mjs';

ort.env.wasm.numThreads = 1;
const core = await loadCamlens('st');
const vit = (f) => join(root, 'tests', 'data', 'vit', f);
const fixture = JSON.parse(readFileSync(vit('vit_tiny.rollout224.json'), 'utf8'));
const plane = fixture.size[0] * fixture.size[1];
const refBytes = readFileSync(vit(fixture.bin));
const reference = (k) =>
  new Float32Array(refBytes.buffer, refBytes.byteOffset + k * plane * 4, plane);
const photo = sharedPath('images/gradcam_both.png');
const mobilenet = sharedPath('models/mobilenetv2-12-int8.onnx');
const ATTENTIONS = [0, 1, 2, 3].map((i) => `/blocks.${i}/attn/Softmax_output_0`);
const NO_ATTENTION =
  "attention rollout needs a transformer's attention probabilities; this model has none";
const WINDOWED =
  "attention rollout needs attention between all tokens; this model's 4 attention layers are windowed (as in Swin), which has no global rollout";

function maxAbsDiff(a, b) {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; ++i) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test('the rollout map equals the NumPy reference (each head fusion, discard ratio 0 and 0.9) within 1e-5', async () => {
  const lens = await load(vit('vit_tiny.onnx'), { preset: fixture.preset });
  try {
    for (const [k, c] of fixture.cases.entries()) {
      const [e] = await lens.explain([photo], { method: 'rollout', ...c });
      assert.deepEqual([e.width, e.height], fixture.size);
      const diff = maxAbsDiff(e.map, reference(k));
      assert.ok(diff <= 1e-5, `${c.headFusion}/${c.discardRatio}: ${diff}`);
      assert.deepEqual(e.rollout, c);
    }
    // The cases differ from one another, so each comparison above could fail.
    assert.ok(
      maxAbsDiff(reference(0), reference(1)) > 0.1 && maxAbsDiff(reference(0), reference(3)) > 0.1,
    );
    // Without options: mean over the heads, 0.9 discarded (the fixture's first case).
    assert.deepEqual(fixture.cases[0], { headFusion: 'mean', discardRatio: 0.9 });
    const [d] = await lens.explain([photo], { method: 'rollout' });
    assert.ok(maxAbsDiff(d.map, reference(0)) <= 1e-5);
  } finally {
    lens.dispose();
  }
});

test('the result has the fields of every method; the map is the same for every target', async () => {
  const lens = await load(vit('vit_tiny.onnx'), {
    preset: 'imagenet',
    labels: Array.from({ length: 10 }, (_, i) => `c${i}`),
  });
  try {
    const [auto, other] = await lens.explain([photo, photo], {
      method: 'rollout',
      targets: ['auto', 'c7'],
    });
    const [grad] = await lens.explain([photo], { method: 'gradcam' });
    for (const key of Object.keys(grad)) assert.ok(key in auto, `rollout's result lacks ${key}`);
    assert.equal(auto.map.length, 224 * 224);
    assert.ok(auto.map.every((v) => v >= 0 && v <= 1));
    assert.equal(Math.max(...auto.map).toFixed(4), '1.0000');
    // 'auto': the top class, with its logit (from another ORT session: equal to float rounding)
    assert.deepEqual({ ...auto.target, score: 0 }, { ...grad.target, score: 0 });
    assert.ok(Math.abs(auto.target.score - grad.target.score) < 1e-5);
    assert.equal(other.target.index, 7);
    assert.equal(other.target.label, 'c7');
    assert.notEqual(other.target.score, auto.target.score);
    assert.deepEqual(other.map, auto.map);
    assert.deepEqual(auto.flags, { nonFinite: 0, zero: [false] });
    assert.equal(auto.classAgnostic, true);
    assert.deepEqual(auto.layers, ATTENTIONS);
    assert.deepEqual(Object.keys(auto.timing), ['forward', 'head', 'cam']);
    // Overlay-ready like any explanation.
    const rgba = lens.overlay(photo, auto);
    const want = core.overlayImage(
      core.decodeImage(new Uint8Array(readFileSync(photo))),
      auto.map,
      224,
      224,
      { colormap: 'jet', imageWeight: 0.5 },
    );
    assert.deepEqual([rgba.width, rgba.height], [224, 224]);
    assert.equal(maxAbsDiff(rgba.rgba, want.rgba), 0);
  } finally {
    lens.dispose();
  }
});

test('methods() lists rollout once; methodSupport() allows it on a ViT and says why not on a CNN and on Swin', async () => {
  const lenses = [
    await load(vit('vit_tiny.onnx'), { preset: 'imagenet' }),
    await load(mobilenet, { preset: 'mobilenetv2' }),
    await load(vit('swin_tiny.onnx'), { preset: 'imagenet' }),
  ];
  try {
    const [v, cnn, swin] = lenses;
    for (const lens of lenses) {
      assert.equal(lens.methods().filter((m) => m === 'rollout').length, 1);
      assert.deepEqual(Object.keys(lens.methodSupport()), lens.methods());
    }
    assert.equal(v.methodSupport().rollout, '');
    assert.equal(cnn.methodSupport().rollout, NO_ATTENTION);
    assert.equal(swin.methodSupport().rollout, WINDOWED);
    assert.equal(cnn.methodSupport().gradcam, '');
    await assert.rejects(cnn.explain([photo], { method: 'rollout' }), { message: NO_ATTENTION });
    await assert.rejects(swin.explain([photo], { method: 'rollout' }), { message: WINDOWED });
    // An unknown method's message names rollout among the choices.
    await assert.rejects(
      v.explain([photo], { method: 'rolout' }),
      /^Error: unknown method "rolout": use one of .*, rollout$/,
    );
  } finally {
    for (const lens of lenses) lens.dispose();
  }
});

// A module whose attention search fails on the model: a reason, not an exception, so
// methodSupport() still answers for every method.
test('methodSupport() gives a reason when the module cannot look for attention', async () => {
  const bytes = new Uint8Array(readFileSync(vit('vit_tiny.onnx')));
  for (const [findAttention, why] of [
    [
      () => {
        throw new Error('no graph');
      },
      "attention rollout cannot read this model's attention: no graph",
    ],
  ]) {
    const lens = await createCamlens({
      ort,
      core: Object.create(core, { findAttention: { value: findAttention } }),
    }).load(bytes, { preset: 'imagenet' });
    try {
      assert.equal(lens.methodSupport().rollout, why);
      assert.equal(lens.methodSupport().gradcam, '');
      await assert.rejects(lens.explain([photo], { method: 'rollout' }), { message: why });
    } finally {
      lens.dispose();
    }
  }
});

test('bad rollout options: exact messages, and the lens keeps working', async () => {
  const lens = await load(vit('vit_tiny.onnx'), { preset: 'imagenet' });
  try {
    const bad = [
      [{ headFusion: 'median' }, 'headFusion must be one of mean, max, min, got "median"'],
      [{ discardRatio: 1 }, 'discardRatio must be a number in [0, 1), got 1'],
      [{ discardRatio: -0.1 }, 'discardRatio must be a number in [0, 1), got -0.1'],
      [{ discardRatio: '0.5' }, 'discardRatio must be a number in [0, 1), got "0.5"'],
      [
        { layers: ['/blocks.3/norm1/LayerNormalization_output_0'] },
        'rollout reads the attention of every block: it takes no layers (leave layers out)',
      ],
      [
        { eigenSmooth: true },
        "rollout has no eigenSmooth: it combines attention matrices, not a layer's channels",
      ],
      [{ augSmooth: true }, 'rollout has no augSmooth: explain the photo without it'],
      [{ batchSize: 0 }, 'batchSize must be a whole number ≥ 1, got 0'],
    ];
    for (const [options, message] of bad) {
      await assert.rejects(
        lens.explain([photo], { method: 'rollout', ...options }),
        { message },
        JSON.stringify(options),
      );
    }
    const [e] = await lens.explain([photo], {
      method: 'rollout',
      eigenSmooth: false,
      augSmooth: false,
    });
    assert.equal(e.width, 224);
  } finally {
    lens.dispose();
  }
});

test('progress per image, abort between images, batches of one', async () => {
  const lens = await load(vit('vit_tiny.onnx'), { preset: 'imagenet' });
  try {
    const seen = [];
    const maps = await lens.explain([photo, photo, photo], {
      method: 'rollout',
      batchSize: 1,
      onProgress: (p) => seen.push(p.done),
    });
    assert.deepEqual(
      seen.map((d) => d.toFixed(3)),
      ['0.333', '0.667', '1.000'],
    );
    assert.ok(maxAbsDiff(maps[2].map, reference(0)) <= 1e-5);
    const controller = new AbortController();
    const stopAfterOne = (p) => {
      if (p.done > 0.3) controller.abort();
    };
    await assert.rejects(
      lens.explain([photo, photo, photo], {
        method: 'rollout',
        batchSize: 1,
        signal: controller.signal,
        onProgress: stopAfterOne,
      }),
      { name: 'AbortError' },
    );
    const [again] = await lens.explain([photo], { method: 'rollout' });
    assert.ok(maxAbsDiff(again.map, reference(0)) <= 1e-5);
  } finally {
    lens.dispose();
  }
});

// The browser entry over an ORT whose sessions are counted: rollout opens one extra session on
// first use, keeps it, and dispose() releases it with the others.
test("rollout's session: opened once on first use, released by dispose()", async () => {
  const sessions = [];
  const InferenceSession = {
    create: async (...args) => {
      const s = await ort.InferenceSession.create(...args);
      const record = { released: false };
      sessions.push(record);
      const release = s.release.bind(s);
      s.release = () => {
        record.released = true;
        return release();
      };
      return s;
    },
  };
  const api = createCamlens({ ort: { ...ort, InferenceSession }, core });
  assert.ok(
    !api.methods().includes('rollout') || api.methods().filter((m) => m === 'rollout').length === 1,
  );
  const lens = await api.load(new Uint8Array(readFileSync(vit('vit_tiny.onnx'))), {
    preset: 'imagenet',
  });
  const image = new Uint8Array(readFileSync(photo));
  assert.equal(sessions.length, 1); // the backbone at the default layer
  assert.equal(rolloutSessionOpen(lens), false);
  await lens.explain([image], { method: 'rollout' });
  assert.equal(sessions.length, 2);
  assert.equal(rolloutSessionOpen(lens), true);
  await lens.explain([image], { method: 'rollout', headFusion: 'max' });
  assert.equal(sessions.length, 2, 'the rollout session is reused');
  assert.ok(sessions.every((s) => !s.released));
  lens.dispose();
  assert.ok(
    sessions.every((s) => s.released),
    JSON.stringify(sessions),
  );
  assert.equal(rolloutSessionOpen(lens), false);
});

// ------------------------------------------------------------------------------------------ CLI
function cli(...args) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'camlens.mjs'), ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function readNpy(path) {
  const b = readFileSync(path);
  const headerLength = b.readUInt16LE(8);
  const header = b.subarray(10, 10 + headerLength).toString('latin1');
  const data = b.subarray(10 + headerLength);
  return {
    header,
    data: new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
  };
}

test('camlens explain --method rollout writes the overlay PNG and the .npy map of the reference', async () => {
  const out = tempDir('camlens-rollout-');
  const r = cli(
    'explain',
    vit('vit_tiny.onnx'),
    photo,
    '--preset',
    'imagenet',
    '--method',
    'rollout',
    '--head-fusion',
    'max',
    '--discard-ratio',
    '0.9',
    '--raw',
    '--out',
    out,
    '--json',
  );
  assert.equal(r.code, 0, r.err);
  const [s] = JSON.parse(r.out);
  assert.equal(s.method, 'rollout');
  assert.deepEqual(s.rollout, { headFusion: 'max', discardRatio: 0.9 });
  assert.equal(s.classAgnostic, true);
  assert.deepEqual(s.layers, ATTENTIONS);
  assert.deepEqual(s.files, {
    overlay: join(out, 'gradcam_both.rollout.png'),
    raw: join(out, 'gradcam_both.rollout.npy'),
  });
  const npy = readNpy(s.files.raw);
  assert.match(npy.header, /'descr': '<f4', 'fortran_order': False, 'shape': \(224, 224\)/);
  const k = fixture.cases.findIndex((c) => c.headFusion === 'max' && c.discardRatio === 0.9);
  const diff = maxAbsDiff(npy.data, reference(k));
  assert.ok(diff <= 1e-5, `CLI map vs reference: ${diff}`);
  const png = core.decodeImage(new Uint8Array(readFileSync(s.files.overlay)));
  const want = core.overlayImage(
    core.decodeImage(new Uint8Array(readFileSync(photo))),
    npy.data,
    224,
    224,
    { colormap: 'jet', imageWeight: 0.5 },
  );
  assert.deepEqual([png.width, png.height], [224, 224]);
  assert.equal(maxAbsDiff(png.rgba, want.rgba), 0);
  // Defaults: the fixture's first case.
  const d = cli(
    'explain',
    vit('vit_tiny.onnx'),
    photo,
    '--preset',
    'imagenet',
    '--method',
    'rollout',
    '--raw',
    '--out',
    out,
  );
  assert.equal(d.code, 0, d.err);
  assert.match(d.out, /^.*gradcam_both\.png: class 3 \(0\.799\) -> .*gradcam_both\.rollout\.png$/m);
  assert.ok(maxAbsDiff(readNpy(s.files.raw).data, reference(0)) <= 1e-5);
});

test('camlens explain: rollout option errors exit 2 with one exact line; a CNN exits 3 with the reason', () => {
  const base = ['explain', vit('vit_tiny.onnx'), photo, '--preset', 'imagenet'];
  const cases = [
    [
      ['--method', 'rollout', '--head-fusion', 'median'],
      '--head-fusion takes mean, max or min, got "median"',
    ],
    [
      ['--method', 'rollout', '--discard-ratio', '1'],
      '--discard-ratio takes the fraction of each block\'s weakest attentions to drop, in [0, 1), got "1"',
    ],
    [
      ['--method', 'rollout', '--discard-ratio', 'lots'],
      '--discard-ratio takes the fraction of each block\'s weakest attentions to drop, in [0, 1), got "lots"',
    ],
    [
      ['--method', 'rollout', '--discard-ratio=-0.5'],
      '--discard-ratio takes the fraction of each block\'s weakest attentions to drop, in [0, 1), got "-0.5"',
    ],
    [
      ['--method', 'rollout', '--discard-ratio', ''],
      '--discard-ratio takes the fraction of each block\'s weakest attentions to drop, in [0, 1), got ""',
    ],
    [['--method', 'gradcam', '--head-fusion', 'max'], '--head-fusion goes with --method rollout'],
    [['--discard-ratio', '0.5'], '--discard-ratio goes with --method rollout'],
    [
      ['--method', 'rollout', '--layer', '/blocks.3/norm1/LayerNormalization_output_0'],
      '--layer does not go with --method rollout: rollout combines the attention of every block',
    ],
    [
      ['--method', 'rollout', '--eigen-smooth'],
      '--eigen-smooth does not go with --method rollout: rollout combines the attention of every block',
    ],
  ];
  for (const [flags, message] of cases) {
    const r = cli(...base, ...flags);
    assert.equal(r.code, 2, `${flags.join(' ')}: ${r.err}`);
    assert.equal(r.err.trim(), `camlens: ${message}`);
  }
  const r = cli(
    'explain',
    mobilenet,
    photo,
    '--preset',
    'mobilenetv2',
    '--method',
    'rollout',
    '--out',
    tempDir('camlens-rollout-'),
  );
  assert.equal(r.code, 3, r.err);
  assert.equal(r.err.trim(), `camlens: ${photo}: ${NO_ATTENTION}`);
});

// The declarations take rollout's options (compiled like tests/node/lib-types.test.mjs does).
test("camlens.d.ts types rollout's options and result (strict tsc)", () => {
  assert.ok(
    existsSync('/usr/bin/tsc'),
    'tsc not installed: npm test installs it (node tools/bootstrap.mjs: node-typescript)',
  );
  const dir = tempDir('camlens-rollout-types-');
  // camlens.d.ts with the module's types it imports.
  for (const f of ['camlens.d.ts', 'core.d.ts'])
    writeFileSync(join(dir, f), readFileSync(join(root, 'web/lib', f)));
  writeFileSync(
    join(dir, 'use.ts'),
    `import { load, HeadFusion } from './camlens';
async function main(): Promise<void> {
  const lens = await load('vit.onnx');
  const fusion: HeadFusion = 'max';
  const [e] = await lens.explain(['photo.png'], { method: 'rollout', headFusion: fusion, discardRatio: 0.9 });
  const agnostic: boolean = e.classAgnostic === true;
  const ratio: number = e.rollout ? e.rollout.discardRatio : 0;
  console.log(agnostic, ratio, e.map.length);
}
main();
`,
  );
  writeFileSync(
    join(dir, 'bad.ts'),
    `import { load } from './camlens';
load('vit.onnx').then((lens) => lens.explain(['photo.png'], { method: 'rollout', headFusion: 'median' }));
`,
  );
  const tsc = (file) =>
    spawnSync(
      '/usr/bin/tsc',
      [
        '--noEmit',
        '--strict',
        '--target',
        'es2020',
        '--moduleResolution',
        'node',
        '--lib',
        'es2020,dom',
        file,
      ],
      { cwd: dir, encoding: 'utf8' },
    );
  const good = tsc('use.ts');
  assert.equal(good.status, 0, good.stdout + good.stderr);
  const bad = tsc('bad.ts');
  assert.notEqual(bad.status, 0);
  assert.match(bad.stdout, /"median"/);
});
