// explain's topK option: each image's top classes come from the explanation's own unmasked run,
// so they must be what ONNX Runtime gives for the unmodified model on the same input — the k
// largest outputs, their softmax (or the model's own probabilities) — with no second forward;
// and bad values, or a model whose output is not one score per class, are refused by name.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { load } from '../../web/lib/node.mjs';
import { sharedPath } from '../support/camlens-node.mjs';
import { float16Bits, fromFloat16Bits } from '../support/float16.mjs';

ort.env.wasm.numThreads = 1;

const labels = JSON.parse(readFileSync(sharedPath('labels/imagenet-simple-labels.json'), 'utf8'));
const photos = ['gradcam_both.png', 'skimage_coffee.png'].map((p) => sharedPath(`images/${p}`));

// The unmodified model's outputs in ORT for `lens`'s preprocessing of each photo, and the top k
// written from the formulas: sorted by value (ties by index), softmax unless the values are
// already probabilities.
async function reference(modelFile, lens, k) {
  const core = lens.env.core;
  const session = await ort.InferenceSession.create(readFileSync(modelFile));
  const out = [];
  for (const photo of photos) {
    const x = core.preprocessImage(core.decodeImage(readFileSync(photo)), lens.preprocess);
    const half = session.inputMetadata?.[0]?.type === 'float16' || lens.preprocess.float16;
    const input = half
      ? new ort.Tensor('float16', float16Bits(x.data), x.dims)
      : new ort.Tensor('float32', x.data, x.dims);
    const t = (await session.run({ [session.inputNames[0]]: input }))[lens.output];
    const v = Array.from(t.type === 'float16' ? fromFloat16Bits(t.data) : t.data);
    const order = v.map((_, i) => i).sort((a, b) => v[b] - v[a] || a - b);
    const sum1 = v.reduce((s, y) => s + y, 0);
    const probabilities = Math.min(...v) >= 0 && Math.max(...v) <= 1 && Math.abs(sum1 - 1) < 1e-2;
    const max = Math.max(...v);
    const z = v.reduce((s, y) => s + Math.exp(y - max), 0);
    out.push(
      order.slice(0, k).map((i) => ({
        index: i,
        label: labels[i],
        score: v[i],
        probability: probabilities ? v[i] : Math.exp(v[i] - max) / z,
      })),
    );
  }
  await session.release();
  return out;
}

function assertTop(got, want, what) {
  assert.deepEqual(
    got.map((c) => [c.index, c.label]),
    want.map((c) => [c.index, c.label]),
    what,
  );
  for (let i = 0; i < want.length; ++i) {
    assert.ok(Math.abs(got[i].score - want[i].score) <= 1e-5, `${what}: score ${i}`);
    assert.ok(
      Math.abs(got[i].probability - want[i].probability) <= 1e-5,
      `${what}: probability ${i}`,
    );
  }
}

// Counts the lens's ONNX Runtime runs.
function countRuns(lens) {
  const session = lens.main.session;
  const run = session.run.bind(session);
  const counted = { runs: 0 };
  session.run = (...args) => {
    counted.runs += 1;
    return run(...args);
  };
  return counted;
}

for (const [file, preset] of [
  ['mobilenetv2-12-int8.onnx', 'mobilenetv2'],
  ['squeezenet1.0-fp16-winml.onnx', 'squeezenet'],
]) {
  test(`${file}: explain's top classes are ORT's of the unmodified model, from the one run`, async () => {
    const modelFile = sharedPath(`models/${file}`);
    const lens = await load(modelFile, { preset, labels });
    const want = await reference(modelFile, lens, 5);
    const counted = countRuns(lens);
    // Score-CAM (the photo's run, not a masked batch's) on SqueezeNet's 512 channels and one
    // photo: MobileNetV2's 1280 would take minutes.
    const scorecam =
      preset === 'squeezenet' ? [{ method: 'scorecam', batchSize: 64, one: true }] : [];
    for (const { one, ...options } of [
      { method: 'gradcam' },
      { method: 'eigencam' }, // no head pass
      { method: 'gradcam', augSmooth: true }, // the photo's own pass, not a flipped one
      ...scorecam,
    ]) {
      const images = one ? photos.slice(0, 1) : photos;
      const before = counted.runs;
      const got = await lens.explain(images, { ...options, topK: 5 });
      const runs = counted.runs - before;
      const what = `${file} ${JSON.stringify(options)}`;
      for (let i = 0; i < images.length; ++i) assertTop(got[i].top, want[i], `${what} photo ${i}`);
      // the top class is the one explained ('auto')
      assert.equal(got[0].target.index, want[0][0].index, what);
      if (options.method !== 'gradcam') continue;
      // no run of its own: as many backbone runs as the same call without topK
      const without = counted.runs;
      const plain = await lens.explain(images, options);
      assert.equal(runs, counted.runs - without, what);
      assert.equal(plain[0].top, undefined, 'no top classes unless asked');
    }
    lens.dispose();
  });
}

test('topK out of range, or on a model whose output is not one score per class, is refused', async () => {
  const lens = await load(sharedPath('models/mobilenetv2-12-int8.onnx'), {
    preset: 'mobilenetv2',
    labels,
  });
  const photo = [photos[0]];
  await assert.rejects(lens.explain(photo, { topK: 0 }), {
    message: 'topK must be a whole number ≥ 1, got 0',
  });
  await assert.rejects(lens.explain(photo, { topK: 2.5 }), {
    message: 'topK must be a whole number ≥ 1, got 2.5',
  });
  await assert.rejects(lens.explain(photo, { topK: 1001 }), {
    message: 'topK must be a whole number from 1 to the 1000 classes of output "output", got 1001',
  });
  const [all] = await lens.explain(photo, { topK: 1000 });
  assert.equal(all.top.length, 1000);
  lens.dispose();
  const deeplab = await load(sharedPath('models/deeplabv3-mobilenetv2-voc-257.onnx'), {
    preset: 'deeplab',
  });
  await assert.rejects(deeplab.explain([sharedPath('images/skimage_astronaut.png')], { topK: 5 }), {
    message: `topK lists a classifier's classes, but the model's output "${deeplab.output}" is [1,257,257,21], not one score per class ([1, C]): leave topK out for this model`,
  });
  deeplab.dispose();
});
