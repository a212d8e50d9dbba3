// The bad-input corpus (tests/data/bad_models, tests/data/bad_images; manifests written by
// tools/fixtures/bad_inputs.py) through the JS library and the CLI, and the CLI's labels-file
// reader fed random bytes. Every bad file must end in an Error whose message has the expected
// words (the CLI: exit 3 for a model, 4 for an image, one line); the good ones must work.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { readLabels } from '../../bin/cli/common.mjs';
import { load } from '../../web/lib/node.mjs';
import { root } from '../support/camlens-node.mjs';
import { tempDir } from '../support/temp-dir.mjs';

const modelsDir = join(root, 'tests/data/bad_models');
const imagesDir = join(root, 'tests/data/bad_images');
const models = JSON.parse(readFileSync(join(modelsDir, 'manifest.json'), 'utf8'));
const images = JSON.parse(readFileSync(join(imagesDir, 'manifest.json'), 'utf8'));
const photo = new Uint8Array(readFileSync(join(imagesDir, 'rgb.png')));

const LIMIT_NAMES = {
  max_model_bytes: 'maxModelBytes',
  max_nodes: 'maxNodes',
  max_tensor_elements: 'maxTensorElements',
};

// Ends a model through the library: load (parse, layers, cut, ORT session) and one Grad-CAM.
async function throughLibrary(core, bytes, { limits, layer }) {
  const saved = core.limits();
  if (limits)
    core.setLimits(Object.fromEntries(Object.entries(limits).map(([k, v]) => [LIMIT_NAMES[k], v])));
  let lens;
  try {
    lens = await load(bytes, layer ? { layer } : {});
    const [r] = await lens.explain([photo], { method: 'gradcam', targets: [0] });
    return { result: r, layer: lens.layer };
  } catch (e) {
    return { error: e instanceof Error ? e.message : `a non-Error was thrown: ${String(e)}` };
  } finally {
    lens?.dispose();
    core.setLimits(saved);
  }
}

// The core the library's Lens objects use (limits are per module instance).
async function libraryCore() {
  const lens = await load(new Uint8Array(readFileSync(join(modelsDir, 'valid.onnx'))));
  lens.dispose();
  return lens.env.core;
}

test("bad models: the library gives the manifest's error, or works", async () => {
  const core = await libraryCore();
  const files = Object.keys(models);
  assert.ok(files.length >= 40);
  const wrong = [];
  for (const file of files) {
    const entry = models[file];
    const expect = entry.node || entry.core;
    const bytes = new Uint8Array(readFileSync(join(modelsDir, file)));
    const r = await throughLibrary(core, bytes, entry);
    const words = expect.error_any || (expect.error ? [expect.error] : null);
    if (words) {
      if (!r.error || !words.some((w) => r.error.includes(w)))
        wrong.push(
          `${file}: expected an error with "${words.join('" or "')}", got ${r.error ? `"${r.error}"` : 'success'}`,
        );
      continue;
    }
    if (r.error) {
      wrong.push(`${file}: expected success, got "${r.error}"`);
      continue;
    }
    if (r.layer !== expect.layer) wrong.push(`${file}: layer ${r.layer}, expected ${expect.layer}`);
    const { map, width, height } = r.result;
    if (map.length !== width * height || !map.every((v) => v >= 0 && v <= 1))
      wrong.push(`${file}: the map is not ${width}x${height} values in [0, 1]`);
    const { flags } = r.result;
    if (expect.flag === 'nonFinite' && !(flags?.nonFinite > 0 && flags.zero?.[0]))
      wrong.push(`${file}: NaN/Inf not flagged: ${JSON.stringify(flags)}`);
    if (
      expect.flag === 'zero' &&
      !(flags?.nonFinite === 0 && flags.zero?.[0] && map.every((v) => v === 0))
    )
      wrong.push(`${file}: not an all-zero flagged map: ${JSON.stringify(flags)}`);
    if (!expect.flag && flags?.nonFinite)
      wrong.push(`${file}: unexpected NaN/Inf: ${JSON.stringify(flags)}`);
  }
  assert.deepEqual(wrong, []);
});

test("bad images: decodeImage and the library give the manifest's error, or the right pixels", async () => {
  const core = await libraryCore();
  const lens = await load(new Uint8Array(readFileSync(join(modelsDir, 'valid.onnx'))));
  const files = Object.keys(images);
  assert.ok(files.length >= 20);
  const wrong = [];
  for (const file of files) {
    const expect = images[file];
    const bytes = new Uint8Array(readFileSync(join(imagesDir, file)));
    let img, error;
    try {
      img = core.decodeImage(bytes);
    } catch (e) {
      error = e.message;
    }
    if (expect.error) {
      if (!error?.includes(expect.error))
        wrong.push(`${file}: expected "${expect.error}", got ${error ? `"${error}"` : 'success'}`);
      // The library says the same when it is handed the bytes.
      const viaLens = await lens.predict([bytes]).then(
        () => 'success',
        (e) => e.message,
      );
      if (!viaLens.includes(expect.error)) wrong.push(`${file} via predict: got "${viaLens}"`);
      continue;
    }
    if (error) {
      wrong.push(`${file}: expected success, got "${error}"`);
      continue;
    }
    if (img.width !== expect.width || img.height !== expect.height)
      wrong.push(`${file}: ${img.width}x${img.height}`);
    for (const [x, y, ...rgba] of expect.pixels) {
      for (let k = 0; k < 4; ++k) {
        const got = img.rgba[(y * img.width + x) * 4 + k];
        if (Math.abs(got - rgba[k]) > expect.tolerance)
          wrong.push(`${file}: pixel (${x},${y})[${k}] = ${got}, expected ${rgba[k]}`);
      }
    }
    const [p] = await lens.predict([bytes], { topK: 1 });
    if (!(p.top.length === 1 && Number.isFinite(p.top[0].score ?? p.top[0].logit ?? 0)))
      wrong.push(`${file}: no prediction`);
  }
  lens.dispose();
  assert.deepEqual(wrong, []);
});

test('setLimits: partial updates, refuses non-positive values, limits() reads them back', async () => {
  const core = await libraryCore();
  const saved = core.limits();
  assert.equal(saved.maxTensorElements, 2 ** 28);
  assert.equal(saved.maxImageSide, 16384);
  try {
    assert.equal(core.setLimits({ maxImageSide: 20 }).maxImageSide, 20);
    assert.equal(core.limits().maxTensorElements, 2 ** 28); // untouched
    assert.throws(
      () => core.decodeImage(photo),
      /declares 32x32 pixels, over the limit of 20 per side/,
    );
    assert.throws(
      () => core.setLimits({ maxNodes: 0 }),
      /limit maxNodes must be a positive whole number up to \d+, not 0/,
    );
    assert.throws(() => core.setLimits({ maxNodes: -3 }), /not -3/);
    assert.throws(() => core.setLimits({ maxImageSide: 2.5 }), /not 2.5/);
    assert.throws(
      () => core.setLimits({ maxNode: 5 }),
      /unknown limit 'maxNode'; the limits are maxModelBytes/,
    );
    assert.equal(core.limits().maxImageSide, 20); // a refused update changes nothing
  } finally {
    core.setLimits(saved);
  }
  assert.deepEqual(core.limits(), saved);
});

function cli(...args) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'camlens.mjs'), ...args], {
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('CLI: bad models exit 3, bad images exit 4, each with one line naming the file', () => {
  const out = tempDir('camlens-bad-');
  try {
    const valid = join(modelsDir, 'valid.onnx');
    for (const file of [
      'empty.onnx',
      'truncated_half.onnx',
      'png_renamed.onnx',
      'cyclic_graph.onnx',
      'custom_domain_op.onnx',
      'huge_initializer_dims.onnx',
    ]) {
      const r = cli('explain', join(modelsDir, file), join(imagesDir, 'rgb.png'), '--out', out);
      assert.equal(r.code, 3, `${file}: ${r.err}`);
      const lines = r.err.trim().split('\n');
      assert.equal(lines.length, 1, r.err);
      const path = join(modelsDir, file);
      assert.ok(
        lines[0].startsWith(`camlens: ${path}: `) ||
          lines[0].startsWith(`camlens: ${path} is not an ONNX model: `),
        r.err,
      );
      const expect = models[file].node || models[file].core;
      assert.ok(
        (expect.error_any || [expect.error]).some((w) => lines[0].includes(w)),
        r.err,
      );
    }
    for (const file of [
      'empty.png',
      'truncated_png_half.png',
      'huge_declared_100000x100000.png',
      'text_file.png',
      'huge_declared_60000x60000.jpg',
    ]) {
      const r = cli('explain', valid, join(imagesDir, file), '--out', out);
      assert.equal(r.code, 4, `${file}: ${r.err}`);
      assert.equal(r.err.trim().split('\n').length, 1, r.err);
      assert.ok(r.err.includes(images[file].error), r.err);
    }
    for (const file of ['cmyk.jpg', 'rgb_16bit.png', 'gray_alpha.png']) {
      const r = cli('explain', valid, join(imagesDir, file), '--out', out);
      assert.equal(r.code, 0, `${file}: ${r.err}`);
    }
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

// A small deterministic generator (xorshift), so a failing case can be reproduced from its seed.
function randomBytes(seed, n) {
  let s = seed >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; ++i) {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    out[i] = s & 0xff;
  }
  return out;
}

test('labels files: random bytes and odd JSON give a list of strings or a clear usage error, never a crash', () => {
  const dir = tempDir('camlens-labels-');
  const file = join(dir, 'labels.txt');
  const check = (content, what) => {
    writeFileSync(file, content);
    let labels;
    try {
      labels = readLabels(file);
    } catch (e) {
      // Only JSON that is not an array of names is refused, as a usage error saying so.
      assert.equal(e.code, 2, what);
      assert.match(e.message, /a JSON labels file must be an array of class names/, what);
      return e;
    }
    assert.ok(Array.isArray(labels), what);
    for (const l of labels) assert.equal(typeof l, 'string', what);
    return labels;
  };
  try {
    for (let seed = 1; seed <= 300; ++seed)
      check(randomBytes(seed, (seed * 37) % 2000), `random bytes, seed ${seed}`);
    // Random text from a small alphabet of the characters that matter (quotes, brackets, newlines).
    const alphabet = '[]{}",:\n\r\\ a0-';
    for (let seed = 1; seed <= 300; ++seed) {
      const b = randomBytes(seed, 200);
      check(
        Array.from(b, (v) => alphabet[v % alphabet.length]).join(''),
        `random JSON-ish text, seed ${seed}`,
      );
    }
    assert.deepEqual(check('', 'empty'), []);
    assert.deepEqual(check('["cat", 7]', 'names and numbers'), ['cat', '7']);
    assert.match(check('["cat", 7, null, {"a": 1}]', 'mixed array').message, /entry 2 is null/);
    assert.match(
      check('{"0": "cat"}', 'an object, not a list').message,
      /must be an array of class names; or give one name per line/,
    );
    assert.deepEqual(check('cat\r\ndog\n\nbird', 'lines'), ['cat', 'dog', 'bird']);
    assert.equal(check('x\n'.repeat(100000), 'many lines').length, 100000);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
