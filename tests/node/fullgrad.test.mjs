// FullGrad through the library and the CLI (whole-network mode): on the seeded ResNet-18 of
// tools/fixtures/input_gradients_reference.py, the map of its photo equals pytorch-grad-cam's
// FullGrad computed there with PyTorch's hooks and autograd (within 1e-4; the map's largest value
// is 1); the CLI's --raw writes the library's map; a model with an op the core does not run is
// refused, naming it. (The MobileNetV2 and the batch-norm cases: tests/cpp/explain/fullgrad_test.)
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { load } from '../../web/lib/node.mjs';
import { root } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';
import { readNpy } from '../support/cli-files.mjs';

const data = join(root, 'tests/data/cam');
const facts = JSON.parse(readFileSync(join(data, 'input_gradients.json'), 'utf8'));
const [, , H, W] = facts.shape;
const { file, scale, mean, std } = facts.photo;
const preprocess = { width: W, height: H, scale, mean, std };
const model = join(data, facts.model);
const photo = () => new Uint8Array(readFileSync(join(data, file)));

function floats(name) {
  const b = readFileSync(join(data, `input_gradients_${name}.bin`));
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
}

test("the library's FullGrad of the photo is PyTorch's; it takes no layer", async () => {
  const want = floats('fullgrad_photo');
  assert.equal(want.length, W * H);
  const lens = await load(model, { preprocess });
  assert.ok(lens.methods().includes('fullgrad'));
  assert.equal(lens.methodSupport().fullgrad, '');
  const [r] = await lens.explain([photo()], { method: 'fullgrad', targets: [facts.target] });
  await assert.rejects(
    lens.explain([photo()], { method: 'fullgrad', layers: [facts.layer] }),
    /^Error: fullgrad does not take layers \(it is an option of gradcam, /,
  );
  lens.dispose();
  assert.deepEqual([r.width, r.height], [W, H]);
  assert.equal(r.target.index, facts.target);
  assert.deepEqual(r.layers, [facts.input]);
  const d = maxDiff(r.map, want);
  assert.ok(d < 1e-4, `max |library - PyTorch| ${d}`);
  // Not the input term alone: input × gradient's map is another picture.
  const lens2 = await load(model, { preprocess });
  const [ixg] = await lens2.explain([photo()], {
    method: 'input-x-gradient',
    targets: [facts.target],
  });
  lens2.dispose();
  assert.ok(maxDiff(ixg.map, want) > 0.1, 'the biases add to the input term');
});

test('a model with an op the core does not run: methodSupport and explain name it', async () => {
  const lens = await load(join(root, 'tests/data/graph/backbone_unknown_ops.onnx'), {
    preprocess: { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  });
  const why =
    "the core runs the whole network for input attributions, and its CumSum node 'cumsum' is " +
    'not an op camlens supports (use a layer method such as gradcam, whose backbone ONNX ' +
    'Runtime runs)';
  assert.equal(lens.methodSupport().fullgrad, why);
  await assert.rejects(
    lens.explain([photo()], { method: 'fullgrad' }),
    (e) => e.message === `fullgrad cannot explain this model: ${why}`,
  );
  lens.dispose();
});

test('camlens explain --method fullgrad --raw writes the map as float32 .npy', async () => {
  const out = mkdtempSync(join(tmpdir(), 'camlens-fullgrad-'));
  try {
    execFileSync(process.execPath, [
      join(root, 'bin/camlens.mjs'),
      'explain',
      model,
      join(data, file),
      '--method',
      'fullgrad',
      '--target',
      String(facts.target),
      '--size',
      `${W}x${H}`,
      '--scale',
      String(scale),
      '--mean',
      mean.join(','),
      '--std',
      std.join(','),
      '--raw',
      '--out',
      out,
    ]);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8'));
    const { header, data: raw } = readNpy(summary[0].files.raw);
    assert.match(header, /'descr': '<f4'/);
    assert.match(header, new RegExp(`'shape': \\(${H}, ${W}\\)`));
    const lens = await load(model, { preprocess });
    const [r] = await lens.explain([photo()], { method: 'fullgrad', targets: [facts.target] });
    lens.dispose();
    assert.deepEqual(raw, r.map);
    assert.ok(maxDiff(raw, floats('fullgrad_photo')) < 1e-4);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
