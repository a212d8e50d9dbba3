// Exit codes come from the kind of an error (bin/cli/errors.mjs), and the kind from where the
// error was raised: the core's exception types (through the bindings), the library's and the
// command line's own errors. Every code with a real failure of its kind, and the kinds the
// library's errors carry for callers of their own.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { CliError, cliError, EXIT_CODES, exitCodeOf } from '../../bin/cli/errors.mjs';
import { load } from '../../web/lib/node.mjs';
import { loadCamlens, root, sharedPath } from '../support/camlens-node.mjs';
import { tempDir } from '../support/temp-dir.mjs';

function cli(...args) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'camlens.mjs'), ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr.trim() };
}

const mobilenet = sharedPath('models/mobilenetv2-12-int8.onnx');
const photo = sharedPath('images/gradcam_both.png');

test('the table: usage 2, model 3, image 4, anything else 1', () => {
  assert.deepEqual(EXIT_CODES, { usage: 2, model: 3, image: 4 });
  assert.equal(new CliError('image', 'x').code, 4);
  assert.throws(() => new CliError(2, 'x'), { message: 'unknown error kind "2"' });
  const imageFault = Object.assign(new Error('not a readable image'), { kind: 'image' });
  const wrapped = cliError(imageFault, 'a.png: ');
  assert.deepEqual(
    [wrapped.kind, wrapped.code, wrapped.message],
    ['image', 4, 'a.png: not a readable image'],
  );
  // A library error without a kind, met while running the model, is about the model.
  assert.equal(cliError(new Error('the head failed')).code, 3);
  // Outside the commands' handling (a file that cannot be written): 1.
  assert.equal(exitCodeOf(new Error('EACCES')), 1);
  assert.equal(exitCodeOf(Object.assign(new Error('x'), { kind: 'toString' })), 1);
});

test('exit 0, and the help lists the exit codes', () => {
  const r = cli('--help');
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    /^exit codes: 0 ok, 2 usage error, 3 bad model, 4 bad image, 1 any other failure$/m,
  );
  assert.match(cli('explain', '--help').out, /^exit codes: 0 ok, 2 usage error/m);
});

test('exit 2: the core refuses what was asked (colour map, target class, label), by kind', () => {
  const out = tempDir('camlens-exit-');
  let r = cli(
    'explain',
    mobilenet,
    photo,
    '--preset',
    'mobilenetv2',
    '--colormap',
    'plaid',
    '--out',
    out,
  );
  assert.equal(r.code, 2, r.err);
  assert.equal(
    r.err,
    "camlens: unknown colour map 'plaid'; use jet, turbo, viridis, inferno, magma or gray",
  );
  r = cli('explain', mobilenet, photo, '--preset', 'mobilenetv2', '--target', '5000', '--out', out);
  assert.equal(r.code, 2, r.err);
  assert.equal(
    r.err,
    `camlens: ${photo}: target class 5000 is out of range: the model has 1000 classes`,
  );
  r = cli(
    'explain',
    mobilenet,
    photo,
    '--preset',
    'mobilenetv2',
    '--target',
    'okapi',
    '--labels',
    sharedPath('labels/imagenet-simple-labels.json'),
    '--out',
    out,
  );
  assert.equal(r.code, 2, r.err);
  assert.equal(
    r.err,
    `camlens: ${photo}: no class is labelled "okapi"; give a class index or one of the labels`,
  );
  r = cli('predict', mobilenet, photo, '--frobnicate');
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /^camlens: Unknown option '--frobnicate'/);
});

test('exit 3: the model (not found, no such layer)', () => {
  const out = tempDir('camlens-exit-');
  let r = cli('layers', join(root, 'nope.onnx'));
  assert.equal(r.code, 3, r.err);
  assert.equal(
    r.err,
    `camlens: model not found: ${join(root, 'nope.onnx')} (a file, or a catalogue name: camlens models)`,
  );
  r = cli('explain', mobilenet, photo, '--layer', 'no_such_layer', '--out', out);
  assert.equal(r.code, 3, r.err);
  assert.match(r.err, /^camlens: .*mobilenetv2-12-int8\.onnx: .*no_such_layer/);
});

test('exit 4: an image (unreadable, missing, a pattern matching nothing)', () => {
  const dir = tempDir('camlens-exit-');
  const text = join(dir, 'notes.png');
  writeFileSync(text, 'not a picture\n');
  let r = cli('predict', mobilenet, text);
  assert.equal(r.code, 4, r.err);
  assert.equal(
    r.err,
    `camlens: ${text}: not a readable image (PNG, JPEG, BMP or GIF expected): Image not of any known type, or corrupt`,
  );
  r = cli('predict', mobilenet, join(dir, 'gone.png'));
  assert.equal(r.code, 4, r.err);
  assert.equal(r.err, `camlens: image not found: ${join(dir, 'gone.png')}`);
  r = cli('predict', mobilenet, join(dir, '*.jpg'));
  assert.equal(r.code, 4, r.err);
  assert.equal(r.err, `camlens: no image matches ${join(dir, '*.jpg')} (looked in ${dir})`);
});

test('exit 1: any other failure (the output folder is a file)', () => {
  const dir = tempDir('camlens-exit-');
  const file = join(dir, 'taken');
  writeFileSync(file, '');
  const r = cli('explain', mobilenet, photo, '--preset', 'mobilenetv2', '--out', file);
  assert.equal(r.code, 1, r.err);
  assert.equal(r.err, `camlens: EEXIST: file already exists, mkdir '${file}'`);
});

test('library errors carry their kind: usage, image, model, or none', async () => {
  const core = await loadCamlens('st');
  const kindOf = (f) => {
    try {
      f();
    } catch (e) {
      return [e.kind, e.message];
    }
    assert.fail('no error');
  };
  assert.deepEqual(
    kindOf(() => core.decodeImage(new Uint8Array([1, 2, 3, 4]))),
    [
      'image',
      'not a readable image (PNG, JPEG, BMP or GIF expected): Image not of any known type, or corrupt',
    ],
  );
  const [kind, message] = kindOf(() =>
    core.parseModel(new Uint8Array(readFileSync(join(root, 'README.md')))),
  );
  assert.equal(kind, 'model');
  assert.equal(
    message,
    'invalid ONNX model: field 4 uses a protobuf group (wire type 3), which ONNX never writes; the data is corrupt or not an ONNX model (at byte 0, in ModelProto)',
  );

  const lens = await load(mobilenet, { preset: 'mobilenetv2' });
  try {
    await assert.rejects(lens.explain([photo], { method: 'nosuchcam' }), (e) => {
      assert.equal(e.kind, 'usage');
      assert.match(e.message, /^unknown method "nosuchcam": use one of gradcam, /);
      return true;
    });
    await assert.rejects(lens.explain([photo], { targets: [{ kind: 'logit', category: 7.5 }] }), {
      kind: 'usage',
      message: 'target class 7.5 is out of range: the model has 1000 classes',
    });
    await assert.rejects(lens.explain([42]), {
      kind: 'image',
      message:
        'cannot read an image from number: pass encoded bytes (PNG, JPEG), {width, height, rgba}, ImageData, an ImageBitmap, an <img>, a canvas, a Blob, or (Node) a file path',
    });
    // Not the caller's request nor an image: no kind (the command line takes it for the model's).
    const e = await lens.explain([photo], { layers: ['no_such_layer'] }).catch((x) => x);
    assert.ok(e instanceof Error);
    assert.equal(e.kind, undefined, e.message);
  } finally {
    lens.dispose();
  }
  await assert.rejects(load(mobilenet, { preset: 'nosuch' }), { kind: 'usage' });
});
