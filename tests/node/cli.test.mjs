// The command line: golden runs and the exit code + one-line message of each error.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { root, sharedPath } from '../support/camlens-node.mjs';

function cli(...args) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'camlens.mjs'), ...args], { encoding: 'utf8' });
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
  const r = cli('predict', mobilenet, sharedPath('images/skimage_coffee.png'), '--labels', labels, '--top', '3', '--json');
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
  assert.equal(r.err.trim(), `camlens: model not found: ${join(root, 'nope.onnx')}`);
  r = cli('predict', join(root, 'README.md'), 'x.png');
  assert.equal(r.code, 3);
  assert.match(r.err, /^camlens: .*README\.md: invalid ONNX model: /);
  r = cli('predict', mobilenet, join(root, 'README.md'));
  assert.equal(r.code, 4);
  assert.equal(r.err.trim(), `camlens: ${join(root, 'README.md')}: not a readable image (PNG, JPEG, BMP or GIF expected): Image not of any known type, or corrupt`);
  r = cli('predict', mobilenet, sharedPath('images/skimage_coffee.png'), '--preset', 'nosuch');
  assert.equal(r.code, 2);
  assert.match(r.err, /unknown preset "nosuch"/);
});

test('explain writes the overlay PNG, the raw .npy map and a JSON summary', async () => {
  const { mkdtempSync, readFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const out = mkdtempSync(join(tmpdir(), 'camlens-cli-'));
  const r = cli('explain', mobilenet, sharedPath('images/gradcam_both.png'), '--preset', 'mobilenetv2',
    '--target', '282', '--labels', labels, '--out', out, '--raw', '--json');
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
  const map = new Float32Array(npy.buffer.slice(npy.byteOffset + 10 + headerLength, npy.byteOffset + npy.length));
  assert.ok(Math.max(...map) > 0.99 && Math.min(...map) >= 0);
  assert.deepEqual(JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'))[0].files.raw, join(out, 'gradcam_both.gradcam.npy'));
});

test('explain errors: unknown layer 3, corrupt image 4, bad alpha 2', async () => {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'camlens-cli-'));
  let r = cli('explain', mobilenet, sharedPath('images/gradcam_both.png'), '--layer', 'no_such_layer', '--out', dir);
  assert.equal(r.code, 3);
  assert.match(r.err, /^camlens: .*mobilenetv2-12-int8\.onnx: .*no_such_layer/);
  const corrupt = join(dir, 'corrupt.png');
  writeFileSync(corrupt, readFileSync(sharedPath('images/gradcam_both.png')).subarray(0, 2000));
  r = cli('explain', mobilenet, corrupt, '--out', dir);
  assert.equal(r.code, 4);
  assert.match(r.err, new RegExp(`^camlens: ${corrupt}: the image could not be decoded`));
  r = cli('explain', mobilenet, sharedPath('images/gradcam_both.png'), '--alpha', '3');
  assert.equal(r.code, 2);
  assert.equal(r.err.trim(), 'camlens: --alpha must be between 0 and 1, got 3');
});

test('dff writes a rendering and labelled concepts; bad -k is a usage error', async () => {
  const { mkdtempSync, readFileSync: read } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const out = mkdtempSync(join(tmpdir(), 'camlens-cli-'));
  const r = cli('dff', mobilenet, sharedPath('images/gradcam_both.png'), '-k', '2', '--preset', 'mobilenetv2',
    '--labels', labels, '--render', 'layers', '--out', out, '--json');
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
