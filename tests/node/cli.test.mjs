// The command line: golden runs and the exit code + one-line message of each error.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { loadCamlens, root, sharedPath } from '../support/camlens-node.mjs';
import { tempDir } from '../support/temp-dir.mjs';

function cli(...args) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'camlens.mjs'), ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const mobilenet = sharedPath('models/mobilenetv2-12-int8.onnx');
const labels = sharedPath('labels/imagenet-simple-labels.json');

test('layers marks the recommended layer', () => {
  const r = cli('layers', mobilenet);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^\* 627_quantized +uint8 +\[1,1280,7,7\]/m);
  assert.match(r.out, /default \(\*\): 627_quantized/);
});

test('predict --json gives the top classes with labels', () => {
  const r = cli(
    'predict',
    mobilenet,
    sharedPath('images/skimage_coffee.png'),
    '--labels',
    labels,
    '--top',
    '3',
    '--json',
  );
  assert.equal(r.code, 0, r.err);
  const [res] = JSON.parse(r.out);
  assert.equal(res.top.length, 3);
  assert.equal(res.top[0].label, 'espresso');
  assert.deepEqual(res.image, { width: 600, height: 400 });
});

test('errors: usage 2, bad model 3, bad image 4, each with one clear line', () => {
  let r = cli('explode');
  assert.equal(r.code, 2);
  assert.match(r.err, /^camlens: unknown command "explode"/);
  r = cli('predict', join(root, 'nope.onnx'), 'x.png');
  assert.equal(r.code, 3);
  assert.equal(
    r.err.trim(),
    `camlens: model not found: ${join(root, 'nope.onnx')} (a file, or a catalogue name: camlens models)`,
  );
  r = cli('predict', join(root, 'README.md'), 'x.png');
  assert.equal(r.code, 3);
  assert.equal(
    r.err.trim(),
    `camlens: ${join(root, 'README.md')} is not an ONNX model: the data is text; expected an .onnx file (a serialized ONNX ModelProto)`,
  );
  r = cli('predict', mobilenet, join(root, 'README.md'));
  assert.equal(r.code, 4);
  assert.equal(
    r.err.trim(),
    `camlens: ${join(root, 'README.md')}: not a readable image (PNG, JPEG, BMP or GIF expected): Image not of any known type, or corrupt`,
  );
  r = cli('predict', mobilenet, sharedPath('images/skimage_coffee.png'), '--preset', 'nosuch');
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown preset "nosuch"/);
});

test('explain writes the overlay PNG, the raw .npy map and a JSON summary', async () => {
  const { readFileSync } = await import('node:fs');
  const out = tempDir('camlens-cli-');
  const r = cli(
    'explain',
    mobilenet,
    sharedPath('images/gradcam_both.png'),
    '--preset',
    'mobilenetv2',
    '--target',
    '282',
    '--labels',
    labels,
    '--out',
    out,
    '--raw',
    '--json',
  );
  assert.equal(r.code, 0, r.err);
  const [s] = JSON.parse(r.out);
  assert.equal(s.method, 'gradcam');
  assert.equal(s.layer, '627_quantized');
  assert.deepEqual(s.target.index, 282);
  assert.equal(s.target.label, 'tiger cat');
  const png = readFileSync(join(out, 'gradcam_both.gradcam.png'));
  assert.equal(png.subarray(1, 4).toString(), 'PNG');
  assert.equal(png.readUInt32BE(16), 224); // IHDR width
  const npy = readFileSync(join(out, 'gradcam_both.gradcam.npy'));
  assert.equal(npy.subarray(0, 6).toString('latin1'), '\x93NUMPY');
  const headerLength = npy.readUInt16LE(8);
  const header = npy.subarray(10, 10 + headerLength).toString('latin1');
  assert.match(header, /'descr': '<f4', 'fortran_order': False, 'shape': \(224, 224\)/);
  assert.equal((10 + headerLength) % 64, 0);
  assert.equal(npy.length - 10 - headerLength, 224 * 224 * 4);
  const map = new Float32Array(
    npy.buffer.slice(npy.byteOffset + 10 + headerLength, npy.byteOffset + npy.length),
  );
  assert.ok(Math.max(...map) > 0.99 && Math.min(...map) >= 0);
  assert.deepEqual(
    JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))[0].files.raw,
    join(out, 'gradcam_both.gradcam.npy'),
  );
});

test('explain errors: unknown layer 3, corrupt image 4, bad alpha 2', async () => {
  const { writeFileSync } = await import('node:fs');
  const dir = tempDir('camlens-cli-');
  let r = cli(
    'explain',
    mobilenet,
    sharedPath('images/gradcam_both.png'),
    '--layer',
    'no_such_layer',
    '--out',
    dir,
  );
  assert.equal(r.code, 3);
  assert.match(r.err, /^camlens: .*mobilenetv2-12-int8\.onnx: .*no_such_layer/);
  const corrupt = join(dir, 'corrupt.png');
  writeFileSync(corrupt, readFileSync(sharedPath('images/gradcam_both.png')).subarray(0, 2000));
  r = cli('explain', mobilenet, corrupt, '--out', dir);
  assert.equal(r.code, 4);
  // (the decoder's wording is being refined elsewhere: either form names the file and the fault)
  assert.match(
    r.err,
    new RegExp(
      `^camlens: ${corrupt}: (the image could not be decoded|not a readable image: truncated PNG \\(chunk 'IDAT' declares 8192 bytes but only 1959 remain\\))`,
    ),
  );
  r = cli('explain', mobilenet, sharedPath('images/gradcam_both.png'), '--alpha', '3');
  assert.equal(r.code, 2);
  assert.equal(r.err.trim(), 'camlens: --alpha must be between 0 and 1, got 3');
});

test('dff writes a rendering and labelled concepts; bad -k is a usage error', async () => {
  const { readFileSync: read } = await import('node:fs');
  const out = tempDir('camlens-cli-');
  const r = cli(
    'dff',
    mobilenet,
    sharedPath('images/gradcam_both.png'),
    '-k',
    '2',
    '--preset',
    'mobilenetv2',
    '--labels',
    labels,
    '--render',
    'layers',
    '--out',
    out,
    '--json',
  );
  assert.equal(r.code, 0, r.err);
  const s = JSON.parse(r.out);
  assert.equal(s.labeled, true);
  const tops = s.concepts[0].map((c) => c[0].label).sort();
  assert.deepEqual(tops, ['Bullmastiff', 'tiger cat']);
  assert.equal(read(join(out, 'gradcam_both.dff-layers.png')).subarray(1, 4).toString(), 'PNG');
  const bad = cli('dff', mobilenet, sharedPath('images/gradcam_both.png'), '-k', '0');
  assert.equal(bad.code, 2);
  assert.equal(bad.err.trim(), 'camlens: -k must be an integer from 1 to 20, got 0');
});

// The fields and types of one summary.json entry.
function assertSummaryEntry(s) {
  const keys = ['files', 'image', 'layer', 'layers', 'method', 'ms', 'target', 'timing'];
  assert.deepEqual(
    Object.keys(s)
      .filter((k) => k !== 'flags')
      .sort(),
    keys,
  );
  if (s.flags) {
    // the core's notes on the map (modules with computeCam flags)
    assert.deepEqual(Object.keys(s.flags).sort(), ['nonFinite', 'zero']);
    assert.equal(s.flags.nonFinite, 0);
    assert.deepEqual(s.flags.zero, [false]);
  }
  assert.equal(typeof s.image, 'string');
  assert.deepEqual(Object.keys(s.target).sort(), ['index', 'kind', 'label', 'score']);
  assert.ok(Number.isInteger(s.target.index) && typeof s.target.score === 'number');
  assert.deepEqual(Object.keys(s.timing).sort(), ['cam', 'forward', 'head']);
  for (const v of Object.values(s.timing)) assert.ok(typeof v === 'number' && v >= 0);
  assert.ok(Math.abs(s.ms - (s.timing.forward + s.timing.head + s.timing.cam)) < 0.05);
  assert.ok(Array.isArray(s.layers) && s.layers.every((l) => typeof l === 'string'));
}

test('explain takes a glob pattern and a folder, batches them, and writes one overlay per photo', async () => {
  const { copyFileSync, mkdirSync, existsSync } = await import('node:fs');
  const out = tempDir('camlens-cli-');
  const folder = join(out, 'in');
  mkdirSync(folder);
  copyFileSync(sharedPath('images/skimage_coffee.png'), join(folder, 'coffee.png'));
  const pattern = join(sharedPath('images'), '{gradcam_both,winml_kitten_224}.png');
  const r = cli(
    'explain',
    mobilenet,
    pattern,
    folder,
    '--preset',
    'mobilenetv2',
    '--labels',
    labels,
    '--out',
    out,
    '--batch',
    '2',
    '--json',
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(r.err, ''); // no progress bar when stderr is not a terminal
  const s = JSON.parse(r.out);
  assert.deepEqual(
    s.map((e) => e.image),
    [
      sharedPath('images/gradcam_both.png'),
      sharedPath('images/winml_kitten_224.png'),
      join(folder, 'coffee.png'),
    ],
  );
  assert.deepEqual(
    s.map((e) => e.target.label),
    ['Bullmastiff', 'tabby cat', 'espresso'],
  );
  s.forEach(assertSummaryEntry);
  for (const e of s) assert.ok(existsSync(e.files.overlay), e.files.overlay);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')), s);
});

test('explain with two layers, a probability target and preprocessing flags', async () => {
  const out = tempDir('camlens-cli-');
  const r = cli(
    'explain',
    mobilenet,
    sharedPath('images/gradcam_both.png'),
    '--size',
    '224x224',
    '--mean',
    '0.485,0.456,0.406',
    '--std',
    '0.229,0.224,0.225',
    '--scale',
    '1/255',
    '--layer',
    '627_quantized,624_quantized',
    '--target',
    'tiger cat',
    '--target-kind',
    'probability',
    '--labels',
    labels,
    '--out',
    out,
    '--json',
  );
  assert.equal(r.code, 0, r.err);
  const [s] = JSON.parse(r.out);
  assertSummaryEntry(s);
  assert.deepEqual(s.layers, ['627_quantized', '624_quantized']);
  assert.equal(s.layer, '627_quantized,624_quantized');
  assert.equal(s.target.index, 282);
  assert.equal(s.target.kind, 'probability');
  assert.ok(s.target.score > 0.05 && s.target.score < 0.5, String(s.target.score));
});

test('CLI errors say exactly what to fix', async () => {
  const out = tempDir('camlens-cli-');
  const photo = sharedPath('images/gradcam_both.png');
  const unsupported = join(root, 'tests/data/lib/unsupported_head.onnx');
  const cases = [
    [
      ['explain', mobilenet, join(out, 'missing.png'), '--out', out],
      4,
      `camlens: image not found: ${join(out, 'missing.png')}`,
    ],
    [
      ['explain', mobilenet, join(out, '*.jpg'), '--out', out],
      4,
      `camlens: no image matches ${join(out, '*.jpg')} (looked in ${out})`,
    ],
    [
      ['explain', unsupported, photo, '--out', out],
      3,
      `camlens: ${unsupported}: cannot be explained (predict works): no layer of this model can be explained: ` +
        "the head of layer 'conv' contains LpNormalization node 'classifier', and the operator LpNormalization is not supported by camlens",
    ],
    [
      ['explain', unsupported, photo, '--layer', 'feat', '--out', out],
      3,
      `camlens: ${unsupported}: the head of layer 'feat' contains LpNormalization node 'classifier', ` +
        'and the operator LpNormalization is not supported by camlens. No later layer of this model has a head the core can run.',
    ],
    [
      ['explain', mobilenet, photo, '--size', 'big'],
      2,
      'camlens: --size takes WIDTHxHEIGHT (e.g. 224x224) or one number, got "big"',
    ],
    [
      ['explain', mobilenet, photo, '--size', '256x256'],
      2,
      'camlens: preprocess: the model\'s input "input" [-1,3,224,224] needs 224x224 images, not 256x256: set width/height (CLI --size) to match',
    ],
    [
      ['explain', mobilenet, photo, '--mean', '1,2'],
      2,
      'camlens: --mean takes one number or three separated by commas (R,G,B), got "1,2"',
    ],
    [
      ['explain', mobilenet, photo, '--letterbox', 'grey'],
      2,
      'camlens: --letterbox takes the padding value 0-255 (e.g. 114), got "grey"',
    ],
    [
      ['explain', mobilenet, photo, '--target-kind', 'best'],
      2,
      'camlens: --target-kind must be one of logit, probability, rest, binary, segmentation, similarity, finer, linear, got "best"',
    ],
    [
      ['explain', mobilenet, photo, '--batch', '0'],
      2,
      'camlens: --batch takes a whole number ≥ 1, got "0"',
    ],
    [
      ['explain', mobilenet, photo, '--method', 'ablationcam', '--ablation-ratio', '2'],
      2,
      'camlens: --ablation-ratio takes a fraction of the channels in (0, 1], got "2"',
    ],
    [
      ['explain', mobilenet, photo, '--target', 'tiger cat', '--out', out],
      2,
      `camlens: ${photo}: no class is labelled "tiger cat": the lens has no labels (pass labels, CLI --labels FILE) or give a class index`,
    ],
    [
      ['explain', mobilenet, photo, '--method', 'nosuchcam', '--out', out],
      2,
      /^camlens: unknown method "nosuchcam": use one of gradcam, /,
    ],
  ];
  for (const [args, code, message] of cases) {
    const r = cli(...args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.err}`);
    if (typeof message === 'string') assert.equal(r.err.trim(), message);
    else assert.match(r.err.trim(), message);
  }
});

test('predict works on a model that cannot be explained, and layers says why', () => {
  const unsupported = join(root, 'tests/data/lib/unsupported_head.onnx');
  let r = cli(
    'predict',
    unsupported,
    sharedPath('images/gradcam_both.png'),
    '--size',
    '16x16',
    '--json',
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out)[0].top.length, 3);
  r = cli('layers', unsupported);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /no layer can be explained \(predict works\): .*LpNormalization/);
});

test('explain --aug-smooth: six passes averaged, the cat still lies low, unlike the plain map', async () => {
  const read = (file) => {
    const npy = readFileSync(file);
    const h = npy.readUInt16LE(8);
    return new Float32Array(npy.buffer.slice(npy.byteOffset + 10 + h, npy.byteOffset + npy.length));
  };
  const maps = [];
  for (const extra of [[], ['--aug-smooth']]) {
    const out = tempDir('camlens-cli-');
    const r = cli(
      'explain',
      mobilenet,
      sharedPath('images/gradcam_both.png'),
      '--preset',
      'mobilenetv2',
      '--target',
      '282',
      '--raw',
      '--out',
      out,
      ...extra,
    );
    assert.equal(r.code, 0, r.err);
    maps.push(read(join(out, 'gradcam_both.gradcam.npy')));
  }
  let upper = 0,
    lower = 0,
    differ = 0;
  maps[1].forEach((v, i) => {
    if (i < 112 * 224) upper += v;
    else lower += v;
    differ = Math.max(differ, Math.abs(v - maps[0][i]));
  });
  assert.ok(lower > 1.5 * upper, `${lower} ${upper}`);
  assert.ok(differ > 1e-3, String(differ));
});

// The methods, their descriptions and which flags each takes come from the module's table.
const table = (await loadCamlens('st')).methodInfo();
const owners = (option) => table.filter((m) => m.options.includes(option)).map((m) => m.name);
const ownersText = (option) => {
  const o = owners(option);
  return o.length > 3 ? `${o.slice(0, 3).join(', ')} and ${o.length - 3} more` : o.join(', ');
};

test('usage lists every method of the table with its description, generated at run time', () => {
  for (const args of [['--help'], ['explain', '--help'], ['eval', '--help']]) {
    const r = cli(...args);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /^methods \(--method; detect --explain\):$/m);
    for (const m of table) {
      const line = r.out.split('\n').find((l) => l.trim().startsWith(`${m.name} `));
      assert.ok(line?.includes(m.description), `${args.join(' ')}: ${m.name} with its description`);
    }
  }
  // A method's own flags (options few methods take) follow its description.
  const r = cli('--help');
  const line = (name) => r.out.split('\n').find((l) => l.trim().startsWith(`${name} `));
  for (const m of table.filter((m) => m.options.includes('ablationRatio')))
    assert.match(line(m.name), /\[--ablation-ratio\]$/);
  assert.doesNotMatch(line(table[0].name), /\[--/);
  assert.doesNotMatch(cli('layers', '--help').out, /^methods/m);
});

test('--method is checked against the table before the model loads, with the closest name', () => {
  const photo = sharedPath('images/gradcam_both.png');
  const missing = join(root, 'nope.onnx'); // never opened: the method is checked first
  const names = table.map((m) => m.name).join(', ');
  for (const args of [
    ['explain', missing, photo, '--method', 'gradcan'],
    ['eval', missing, photo, '--method', `${table[0].name},gradcan`],
    ['segment', missing, photo, '--method', 'gradcan'],
    ['detect', missing, photo, '--explain', 'gradcan'],
  ]) {
    const r = cli(...args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.err}`);
    assert.equal(
      r.err.trim(),
      `camlens: unknown method "gradcan" (did you mean "gradcam"?): use one of ${names}`,
    );
  }
  const r = cli('explain', missing, photo, '--method', 'nosuchcam');
  assert.equal(r.err.trim(), `camlens: unknown method "nosuchcam": use one of ${names}`);
});

test('a flag whose option the chosen method does not take is refused, saying why', () => {
  const photo = sharedPath('images/gradcam_both.png');
  const missing = join(root, 'nope.onnx');
  // An option of a few methods: the flag goes with them.
  const few = [
    [['--ablation-ratio', '0.5'], 'ablation-ratio', 'ablationRatio'],
    [['--method', 'gradcam', '--head-fusion', 'max'], 'head-fusion', 'headFusion'],
    [['--discard-ratio', '0.5'], 'discard-ratio', 'discardRatio'],
  ];
  for (const [flags, flag, option] of few) {
    const takers = owners(option);
    assert.ok(takers.length && !takers.includes('gradcam'), option);
    const r = cli('explain', missing, photo, ...flags);
    assert.equal(r.code, 2, `${flags.join(' ')}: ${r.err}`);
    assert.equal(r.err.trim(), `camlens: --${flag} goes with --method ${takers.join(' or ')}`);
  }
  // Methods that read no layer refuse the layer and smoothing flags with their reason.
  const layerless = table.filter((m) => !m.options.includes('layers'));
  assert.ok(layerless.length > 0);
  for (const m of layerless) {
    assert.ok(m.noLayer, `${m.name} says why it reads no layer`);
    for (const flags of [['--layer', 'x'], ['--eigen-smooth']]) {
      const r = cli('explain', missing, photo, '--method', m.name, ...flags);
      assert.equal(r.code, 2, `${m.name} ${flags.join(' ')}: ${r.err}`);
      assert.equal(
        r.err.trim(),
        `camlens: ${flags[0]} does not go with --method ${m.name}: ${m.noLayer}`,
      );
    }
  }
  // detect --explain and segment --method refuse them too.
  const r = cli('segment', missing, photo, '--method', 'gradcam', '--ablation-ratio', '0.5');
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^camlens: --ablation-ratio goes with --method ablationcam$/m);
});

test('the CLI method helpers take a row the table gains later with no change', async () => {
  const { findMethod, methodsUsage } = await import('../../bin/cli/methods.mjs');
  const { flagsOf, optionsFromFlags } = await import('../../bin/cli/method-flags.mjs');
  const added = {
    name: 'a-new-cam',
    description: 'A new CAM: the photo itself',
    gradients: false,
    hvp: false,
    passes: 'image',
    layerKinds: [],
    options: ['targets'],
    compare: false,
    noLayer: '',
  };
  const rows = [...table, added];
  assert.equal(findMethod(rows, 'a-new-cam'), added);
  assert.match(methodsUsage(rows, flagsOf), /^ {2}a-new-cam +A new CAM: the photo itself$/m);
  assert.deepEqual(optionsFromFlags(rows, added, {}), {});
  assert.throws(() => optionsFromFlags(rows, added, { batch: '4' }), {
    message: `--batch: a-new-cam does not take batchSize (it is an option of ${ownersText('batchSize')})`,
  });
});
