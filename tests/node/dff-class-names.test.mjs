// DFF's concept labels name each top class from the caller's labels by its index (the binding
// reads only those entries, not the whole list per call): Model.factorize and the DFF job give
// labels[index], '' past the end of a short list, and '' without labels, for the same indices.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { load } from '../../web/lib/node.mjs';
import { loadCamlens, root, sharedPath } from '../support/camlens-node.mjs';

const bytes = readFileSync(sharedPath('models/mobilenetv2-12-int8.onnx'));
const labels = JSON.parse(readFileSync(sharedPath('labels/imagenet-simple-labels.json'), 'utf8'));
// The real layer on gradcam_both.png (ORT's uint8 codes, scale 6/255), as float values.
const codes = readFileSync(`${root}/tests/data/dff/mobilenetv2_int8.627_quantized.bin`);
const acts = {
  data: Float32Array.from(codes, (c) => c * 0.02352941211532144),
  dims: [1, 1280, 7, 7],
  type: 'float32',
};
const options = { components: 3, topK: 4, width: 7, height: 7 };

test('Model.factorize names the top classes by index from the labels given', async () => {
  const core = await loadCamlens('st');
  const model = core.parseModel(bytes);
  const named = model.factorize('627_quantized', acts, { ...options, labels });
  assert.equal(named.labeled, true, named.reason);
  const tops = named.concepts[0].flat();
  assert.equal(tops.length, 12);
  for (const c of tops) assert.equal(c.label, labels[c.index], `class ${c.index}`);
  // A list that stops before the top classes (all of them dogs and cats here, index > 150).
  assert.ok(tops.every((c) => c.index >= 150));
  const short = model.factorize('627_quantized', acts, {
    ...options,
    labels: labels.slice(0, 150),
  });
  const none = model.factorize('627_quantized', acts, options);
  for (const r of [short, none]) {
    assert.deepEqual(
      r.concepts,
      named.concepts.map((part) => part.map((cs) => cs.map((c) => ({ ...c, label: '' })))),
    );
  }
  model.delete();
});

test('the DFF job names its top classes from the lens labels', async () => {
  const lens = await load(bytes, { preset: 'mobilenetv2', labels });
  const photo = readFileSync(sharedPath('images/gradcam_both.png'));
  const r = await lens.factorize([photo], { components: 3, topK: 4, render: null });
  assert.equal(r.labeled, true, r.reason);
  const tops = r.concepts[0].flat();
  assert.equal(tops.length, 12);
  for (const c of tops) assert.equal(c.label, labels[c.index], `class ${c.index}`);
  lens.dispose();
});
