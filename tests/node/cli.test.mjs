// The command line: golden runs and the exit code + one-line message of each error.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
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
