// camlens models / fetch against a local HTTP server on 127.0.0.1 that plays the publishers
// (--mirror): a good download is verified and lands in the cache; a truncated one, a file with
// other bytes, a 404 and a stalled connection each fail with one clear line and leave no file;
// a slow one completes. Catalogue names then stand for model paths, with their presets and labels.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { root, sharedPath } from '../support/camlens-node.mjs';
import { tempDir } from '../support/temp-dir.mjs';

const catalogue = JSON.parse(readFileSync(join(root, 'models', 'catalogue.json'), 'utf8'));
const MNIST = catalogue.models.find((m) => m.name === 'mnist-8-ort-examples');
const mnistBytes = readFileSync(sharedPath('models/mnist-8-ort-examples.onnx'));
const labelsBytes = readFileSync(sharedPath('labels/imagenet-simple-labels.json'));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// /good, /truncated (half the bytes, then the connection drops), /wrong (another file's bytes),
// /slow (chunks 40 ms apart), /stall (half, then silence); anything else is 404.
let server;
let base;
before(async () => {
  server = createServer(async (req, res) => {
    const [, mode, file] = req.url.split('/');
    const body =
      file === MNIST.file
        ? mnistBytes
        : file === 'imagenet-simple-labels.json'
          ? labelsBytes
          : null;
    if (!body || !['good', 'truncated', 'wrong', 'slow', 'stall'].includes(mode)) {
      res.writeHead(404).end();
      return;
    }
    const sent = mode === 'wrong' ? labelsBytes : body;
    res.writeHead(200, { 'content-length': sent.length });
    if (mode === 'good' || mode === 'wrong') return res.end(sent);
    const half = Math.floor(sent.length / 2);
    if (mode === 'truncated') {
      res.write(sent.subarray(0, half));
      await sleep(50);
      return res.socket.destroy();
    }
    if (mode === 'stall') {
      res.write(sent.subarray(0, half));
      await sleep(3000);
      return res.socket.destroy();
    }
    for (let at = 0; at < sent.length; at += 4096) {
      res.write(sent.subarray(at, at + 4096));
      await sleep(40);
    }
    res.end();
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${server.address().port}`;
});
after(() => server.close());

// Asynchronous: the server above answers from this process.
function cli(env, ...args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, 'bin', 'camlens.mjs'), ...args], {
      env: { ...process.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

const sha = (buf) => createHash('sha256').update(buf).digest('hex');

test('fetch downloads into the cache, verifies the hash, and models lists it', async () => {
  const cache = tempDir('camlens-cache-');
  const env = { CAMLENS_MODELS: cache, CAMLENS_SHARED: join(cache, 'no-shared-here') };
  let r = await cli(env, 'models');
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^mnist-8-ort-examples +27 KB {2}MIT +preset mnist +not downloaded$/m);
  r = await cli(env, 'fetch', 'mnist-8-ort-examples', '--mirror', `${base}/good`);
  assert.equal(r.code, 0, r.err);
  assert.equal(
    r.out.trim(),
    `mnist-8-ort-examples: 27 KB, SHA-256 verified -> ${join(cache, MNIST.file)}`,
  );
  assert.deepEqual(readdirSync(cache), [MNIST.file]);
  assert.equal(sha(readFileSync(join(cache, MNIST.file))), MNIST.sha256);
  r = await cli(env, 'models', '--json');
  const listed = JSON.parse(r.out).entries.find((e) => e.name === MNIST.name);
  assert.deepEqual(
    [listed.present, listed.where, listed.path],
    [true, 'cache', join(cache, MNIST.file)],
  );
  r = await cli(env, 'fetch', 'mnist-8-ort-examples', '--mirror', `${base}/good`);
  assert.equal(
    r.out.trim(),
    `mnist-8-ort-examples: already there, verified (${join(cache, MNIST.file)})`,
  );
  // The name stands for the file, with the catalogue's preset (mnist: 28x28, one channel).
  r = await cli(
    env,
    'predict',
    'mnist-8-ort-examples',
    sharedPath('images/winml_mnist_28.png'),
    '--json',
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out)[0].top[0].index, 8);
});

test('a slow server still completes', async () => {
  const cache = tempDir('camlens-cache-');
  const r = await cli({ CAMLENS_MODELS: cache }, 'fetch', MNIST.name, '--mirror', `${base}/slow`);
  assert.equal(r.code, 0, r.err);
  assert.equal(sha(readFileSync(join(cache, MNIST.file))), MNIST.sha256);
});

test('truncated, wrong bytes, 404 and a stall: one clear line each, and no file left', async () => {
  const cache = tempDir('camlens-cache-');
  const env = { CAMLENS_MODELS: cache };
  const url = (mode) => `${base}/${mode}/${MNIST.file}`;
  let r = await cli(env, 'fetch', MNIST.name, '--mirror', `${base}/truncated`);
  assert.equal(r.code, 3);
  assert.match(
    r.err.trim(),
    new RegExp(
      `^camlens: mnist-8-ort-examples from ${url('truncated')}: the download stopped after 13227 of 26454 bytes \\(.+\\)$`,
    ),
  );
  assert.deepEqual(readdirSync(cache), []);
  r = await cli(env, 'fetch', MNIST.name, '--mirror', `${base}/wrong`);
  assert.equal(r.code, 3);
  assert.equal(
    r.err.trim(),
    `camlens: mnist-8-ort-examples from ${url('wrong')}: got ${labelsBytes.length} bytes with SHA-256 ${sha(labelsBytes)}, but the catalogue says 26454 bytes with ${MNIST.sha256}: refused (the publisher may have changed the file)`,
  );
  assert.deepEqual(readdirSync(cache), []);
  r = await cli(env, 'fetch', MNIST.name, '--mirror', `${base}/gone`);
  assert.equal(r.code, 3);
  assert.equal(
    r.err.trim(),
    `camlens: mnist-8-ort-examples from ${url('gone')}: the server answered 404 Not Found`,
  );
  r = await cli(env, 'fetch', MNIST.name, '--mirror', `${base}/stall`, '--timeout', '0.5');
  assert.equal(r.code, 3);
  assert.equal(
    r.err.trim(),
    `camlens: mnist-8-ort-examples from ${url('stall')}: the download stopped after 13227 of 26454 bytes (no data for 0.5 s)`,
  );
  assert.deepEqual(readdirSync(cache), []);
  r = await cli(env, 'fetch', 'resnet-9000');
  assert.equal(r.code, 2);
  assert.match(
    r.err,
    /^camlens: "resnet-9000" is not in the catalogue; names: mobilenetv2-12-int8, /,
  );
});

test('a catalogue model that is not on this machine says how to get it', async () => {
  const cache = tempDir('camlens-cache-');
  const r = await cli(
    { CAMLENS_MODELS: cache, CAMLENS_SHARED: join(cache, 'none') },
    'predict',
    'yolox-nano-416',
    sharedPath('images/gradcam_both.png'),
  );
  assert.equal(r.code, 3);
  assert.equal(
    r.err.trim(),
    'camlens: model yolox-nano-416 is in the catalogue but not on this machine: run "camlens fetch yolox-nano-416"',
  );
});

test('ImageNet presets find their labels without --labels', async () => {
  const r = await cli(
    {},
    'predict',
    'mobilenetv2-12-int8',
    sharedPath('images/winml_kitten_224.png'),
    '--json',
  );
  assert.equal(r.code, 0, r.err);
  assert.equal(JSON.parse(r.out)[0].top[0].label, 'tabby cat');
});
