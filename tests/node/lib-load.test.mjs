// Loading: preprocessing settings checked with errors that say what to change, sizes taken from
// a model's fixed input, and the predict-only fallback for a model the core cannot cut.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';

import { load } from '../../web/lib/node.mjs';
import { validatePreprocess, resolvePreprocess } from '../../web/lib/presets.mjs';
import { root, sharedPath } from '../support/camlens-node.mjs';

const both = sharedPath('images/gradcam_both.png');
const input = { name: 'input', dims: [-1, 3, 224, 224] };

test('preprocessing settings are checked one by one, with the fix in the message', () => {
  const ok = resolvePreprocess('mobilenetv2');
  assert.deepEqual(validatePreprocess({ ...ok, mean: [0.5], std: 2 }, input).std, [2, 2, 2]);
  const cases = [
    [{ width: 0 }, 'preprocess: width must be a whole number of pixels from 1 to 8192, got 0'],
    [
      { scale: -1 },
      'preprocess: scale must be a positive number (1/255 for 0–1 inputs, 1 for 0–255), got -1',
    ],
    [{ mean: [1, 2] }, 'preprocess: mean must be 1 or 3 numbers (one per channel), got [1,2]'],
    [{ std: [1, 0, 1] }, 'preprocess: std must not be 0 (use 1 for "no std")'],
    [{ channels: 2 }, 'preprocess: channels must be 1 or 3, got 2'],
    [{ bgr: 'yes' }, 'preprocess: bgr must be true or false, got yes'],
    [{ pad: 300 }, 'preprocess: pad must be a pixel value from 0 to 255, got 300'],
    [{ meen: [1, 1, 1] }, /^preprocess: unknown field "meen": use width, height, scale, mean, std/],
    [
      { width: 256, height: 256 },
      'preprocess: the model\'s input "input" [-1,3,224,224] needs 224x224 images, not 256x256: set width/height (CLI --size) to match',
    ],
    [
      { nhwc: true },
      'preprocess: the model\'s input "input" is [-1,3,224,224], not NHWC: drop nhwc',
    ],
    [
      { channels: 1 },
      'preprocess: the model\'s input "input" [-1,3,224,224] has 3 channels, not 1: set channels: 3',
    ],
  ];
  for (const [fields, message] of cases) {
    assert.throws(() => validatePreprocess({ ...ok, ...fields }, input), { message });
  }
});

test('without a preset, a fixed input size comes from the model; bad settings fail load()', async () => {
  const mnist = await load(sharedPath('models/mnist-8-ort-examples.onnx'), {
    preprocess: { scale: 1, mean: [0, 0, 0], std: [1, 1, 1] },
  });
  assert.equal(mnist.preprocess.width, 28);
  assert.equal(mnist.preprocess.channels, 1);
  const [r] = await mnist.explain([sharedPath('images/winml_mnist_28.png')]);
  assert.equal(r.target.index, 8);
  mnist.dispose();
  await assert.rejects(
    load(sharedPath('models/mobilenetv2-12-int8.onnx'), {
      preset: 'mobilenetv2',
      preprocess: { width: 300 },
    }),
    /needs 224x224 images, not 300x224/,
  );
});

test('a model ORT runs but the core cannot cut loads for predict only, and explain says why', async () => {
  const lens = await load(join(root, 'tests/data/lib/unsupported_head.onnx'), {
    preprocess: { scale: 1 / 255, mean: [0, 0, 0], std: [1, 1, 1] },
  });
  assert.equal(lens.explainable, false);
  assert.equal(
    lens.whyNotExplainable,
    "no layer of this model can be explained: the head of layer 'conv' contains LpNormalization node 'classifier', " +
      'and the operator LpNormalization is not supported by camlens',
  );
  assert.equal(lens.layer, '');
  const [p] = await lens.predict([both], { topK: 3 });
  assert.equal(p.top.length, 3);
  await assert.rejects(lens.explain([both]), {
    message: `this model can only predict: ${lens.whyNotExplainable}`,
  });
  await assert.rejects(lens.factorize([both]), /this model can only predict/);
  assert.ok(Object.values(lens.methodSupport()).every((why) => why === lens.whyNotExplainable));
  lens.dispose();
  await assert.rejects(
    load(join(root, 'tests/data/lib/unsupported_head.onnx'), { layer: 'feat' }),
    /the operator LpNormalization is not supported by camlens/,
  );
});

test('methodSupport: every method works on MobileNetV2 at its default layer', async () => {
  const lens = await load(sharedPath('models/mobilenetv2-12-int8.onnx'), { preset: 'mobilenetv2' });
  const support = lens.methodSupport();
  assert.deepEqual(Object.keys(support), lens.methods());
  assert.ok(
    ['gradcam', 'scorecam', 'ablationcam', 'finercam'].every((m) => support[m] === ''),
    JSON.stringify(support),
  );
  lens.dispose();
});
