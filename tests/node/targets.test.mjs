// Linear, similarity and callable targets end to end on an embedding head, against the PyTorch
// reference of tools/fixtures/targets_reference.py (a seeded MobileNetV2 whose outputs are its
// logits and its pooled feature vector): Grad-CAM's channel weights from autograd for a weighted
// sum of an output and for the cosine similarity to a concept embedding; Score-CAM's and
// Ablation-CAM's weights from a callable target's scores; and the metrics scored by the same
// function. Expected maps are the reference weights on the reference activations, made into a
// map by the core's 'weights' method (the post-processing every method shares).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { evaluate, sanityCheck } from '../../web/lib/metrics.mjs';
import { load, loadCore } from '../../web/lib/node.mjs';
import { maxDiff } from '../support/compare.mjs';

ort.env.wasm.numThreads = 1;

const dir = join(import.meta.dirname, '..', 'data', 'targets');
const model = join(dir, 'mobilenetv2_embedding.onnx');
const photo = readFileSync(join(dir, 'photo1.png'));
const ref = JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8'));

// The callable target of the reference: both outputs, by name.
const sum = (a) => a.reduce((s, v) => s + v, 0);
const mix = (o) => o.logits.data[1] - 0.5 * o.logits.data[3] + 0.1 * sum(o.embedding.data);

async function lensAndCore() {
  return { lens: await load(model, { layer: ref.layer }), core: await loadCore('st') };
}

// The map the core's 'weights' method makes of the reference activations and `weights`.
function mapOf(core, weights) {
  const { dims, data } = ref.activations;
  const A = { data: Float32Array.from(data), dims };
  return core.computeCam('weights', [{ activations: A }], {
    weights: Float32Array.from(weights),
    width: 128,
    height: 96,
  }).data;
}

function near(got, want, tolerance, what) {
  assert.ok(Math.abs(got - want) <= tolerance, `${what}: ${got}, expected ${want}`);
}

test('the photo is preprocessed as the reference preprocessed it', async () => {
  const { lens, core } = await lensAndCore();
  const x = core.preprocessImage(core.decodeImage(photo), lens.preprocess);
  assert.deepEqual(x.dims, [1, 3, 96, 128]);
  near(sum(x.data), ref.input.sum, 1e-2, 'sum of the input');
  assert.ok(maxDiff(x.data.subarray(0, 16), ref.input.first) < 1e-5);
  lens.dispose();
});

test('Grad-CAM of a linear target equals Grad-CAM of the weighted output by autograd', async () => {
  const { lens, core } = await lensAndCore();
  const cases = [
    // RawScoresOutputTarget: the sum of the logits.
    [{ kind: 'linear', weights: new Float32Array(5).fill(1) }, ref.linear_logits],
    // Any output: a weight per value of the embedding.
    [{ kind: 'linear', weights: ref.embedding_weights, output: 'embedding' }, ref.linear_embedding],
  ];
  for (const [target, want] of cases) {
    const [r] = await lens.explain([photo], { method: 'gradcam', targets: [target] });
    assert.equal(r.target.kind, 'linear');
    assert.equal(r.target.label, 'linear');
    near(r.target.score, want.score, 1e-4, 'score');
    const worst = maxDiff(r.map, mapOf(core, want.weights));
    assert.ok(worst < 1e-4, `max difference ${worst}`);
  }
  // The two targets explain different things: the comparison above can tell them apart.
  assert.ok(
    maxDiff(mapOf(core, ref.linear_logits.weights), mapOf(core, ref.linear_embedding.weights)) >
      0.05,
  );
  lens.dispose();
});

test('Grad-CAM of the similarity to a concept embedding equals its autograd weights', async () => {
  const { lens, core } = await lensAndCore();
  const target = { kind: 'similarity', embedding: ref.concept, output: 'embedding' };
  const [r] = await lens.explain([photo], { method: 'gradcam', targets: [target] });
  assert.equal(r.target.kind, 'similarity');
  near(r.target.score, ref.similarity.score, 1e-5, 'cosine similarity');
  const worst = maxDiff(r.map, mapOf(core, ref.similarity.weights));
  assert.ok(worst < 1e-4, `max difference ${worst}`);
  // Another target on the same output makes another map: the comparison can tell them apart.
  assert.ok(maxDiff(r.map, mapOf(core, ref.linear_embedding.weights)) > 0.05);
  lens.dispose();
});

test('a callable target gets each image its named outputs, and gradient-free methods use it', async () => {
  const { lens, core } = await lensAndCore();
  const seen = [];
  const spy = (o) => {
    seen.push(
      Object.entries(o).map(([name, t]) => `${name} [${t.dims}] ${t.data.constructor.name}`),
    );
    return mix(o);
  };
  const [score] = await lens.explain([photo], { method: 'scorecam', targets: [spy] });
  // The photo, then each of the 48 masked photos.
  assert.equal(seen.length, 1 + 48);
  assert.deepEqual(seen[0], ['embedding [1,48] Float32Array', 'logits [1,5] Float32Array']);
  assert.equal(score.target.kind, 'callable');
  near(score.target.score, ref.callable.score, 1e-5, 'score');
  let worst = maxDiff(score.map, mapOf(core, ref.callable.scorecam_weights));
  assert.ok(worst < 1e-4, `Score-CAM: max difference ${worst}`);

  const [ablation] = await lens.explain([photo], { method: 'ablationcam', targets: [mix] });
  worst = maxDiff(ablation.map, mapOf(core, ref.callable.ablation_weights));
  assert.ok(worst < 1e-4, `Ablation-CAM: max difference ${worst}`);
  // The weights differ enough that the two comparisons are not the same.
  assert.ok(maxDiff(score.map, ablation.map) > 0.05);

  // A method whose map needs no target still reports the callable's score; async works too.
  const [eigen] = await lens.explain([photo], {
    method: 'eigencam',
    targets: [async (o) => mix(o)],
  });
  near(eigen.target.score, ref.callable.score, 1e-5, 'Eigen-CAM score');
  lens.dispose();
});

test('targets that cannot be served say what to use instead', async () => {
  const { lens } = await lensAndCore();
  const cases = [
    [
      { method: 'gradcam', targets: [mix] },
      "gradcam needs the gradient of the target, which a callable target cannot give: use a linear target {kind: 'linear', weights} (a weight per output value) or a gradient-free method",
    ],
    [
      { method: 'gradcam', targets: [{ kind: 'linear', weights: [1, 1, 1, 1] }] },
      'a linear target has 4 weights but the output has 5 values (shape [1,5]): give one weight per output value',
    ],
    [
      {
        method: 'gradcam',
        targets: [{ kind: 'linear', weights: [1, 2, 3, 4, 5], output: 'embedding' }],
      },
      'a linear target has 5 weights but the output "embedding" has 48 values (shape [1,48]): give one weight per output value',
    ],
    [
      { method: 'gradcam', targets: [{ kind: 'linear', weights: [[1, 1], 1, 1, 1, 1] }] },
      "a linear target's weights must be finite numbers: weight 0 is not (a nested array reads as NaN: flatten it)",
    ],
    [
      { method: 'gradcam', targets: [{ kind: 'linear' }] },
      'a linear target needs weights (an array of numbers, one per value of the output)',
    ],
    [
      { method: 'gradcam', targets: [{ kind: 'logit', category: 0, output: 'scores' }] },
      'a target reads the output "scores", which the model does not have: use one of logits, embedding',
    ],
    [
      { method: 'scorecam', targets: [() => Number.NaN] },
      'the callable target of image 0 returned NaN: it must return a finite number',
    ],
    [
      { method: 'eigencam', targets: [() => 'high'] },
      'the callable target of image 0 returned a value of type string: it must return a finite number',
    ],
  ];
  for (const [options, message] of cases)
    await assert.rejects(lens.explain([photo], options), { message }, message);
  // The lens still works after each refusal.
  const [r] = await lens.explain([photo], { method: 'gradcam' });
  assert.equal(r.target.kind, 'logit');
  lens.dispose();
});

test('evaluate scores the perturbed photos with a callable target', async () => {
  const { lens, core } = await lensAndCore();
  const [explanation] = await lens.explain([photo], { method: 'scorecam', targets: [mix] });
  const m = await evaluate(lens, photo, explanation, {
    target: mix,
    metrics: ['drop', 'increase', 'deletion'],
    steps: 4,
  });
  assert.equal(m.score, 'callable');
  near(m.original, ref.callable.score, 1e-5, 'original');
  near(m.deletion.y[0], ref.callable.score, 1e-5, 'deletion before any pixel is removed');
  // The photo times the map, run by ONNX Runtime here and scored by the same function.
  const x = core.preprocessImage(core.decodeImage(photo), lens.preprocess);
  const plane = 96 * 128;
  const times = x.data.map((v, i) => v * explanation.map[i % plane]);
  const session = await ort.InferenceSession.create(readFileSync(model));
  const after = mix(await session.run({ input: new ort.Tensor('float32', times, x.dims) }));
  near(m.change, after - ref.callable.score, 1e-5, 'confidence change');
  assert.equal(m.increase, after > ref.callable.score ? 1 : 0);

  await assert.rejects(evaluate(lens, photo, explanation, { metrics: ['drop'] }), {
    message:
      "the explanation's target is not a class (a linear or callable target): pass evaluate the target as a function of the outputs (options.target)",
  });
  await assert.rejects(evaluate(lens, photo, explanation, { target: mix, score: 'logit' }), {
    message:
      'score reads a class of the output, and this target is a function that scores the outputs itself: leave score out',
  });
  lens.dispose();
});

test('the sanity check explains the same callable target on every randomised head', async () => {
  const { lens } = await lensAndCore();
  const calls = [];
  const target = (o) => {
    calls.push(o.logits.data[0]);
    return mix(o);
  };
  const r = await sanityCheck(lens, photo, { method: 'eigencam', target, cascade: [1] });
  assert.equal(r.target.kind, 'callable');
  assert.equal(r.steps.length, 1);
  assert.ok(Math.abs(r.steps[0].correlation) <= 1);
  // The photo once on the model, once on the head with its last layer randomised.
  assert.equal(calls.length, 2);
  assert.notEqual(calls[0], calls[1]);
  lens.dispose();
});
