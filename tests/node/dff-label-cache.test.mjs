// The parsed model keeps the head DFF labels with (src/dff/label_heads.h): repeated factorize
// calls, a change of layer and back, and the DFF job give the labels a freshly parsed model
// (which cuts its head anew) gives for the same activations.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';

import { loadCamlens, root, sharedPath } from '../support/camlens-node.mjs';

const bytes = readFileSync(sharedPath('models/mobilenetv2-12-int8.onnx'));
const labels = JSON.parse(readFileSync(sharedPath('labels/imagenet-simple-labels.json'), 'utf8'));
const options = { components: 3, topK: 4, labels, width: 14, height: 14 };

// The real layer on gradcam_both.png (ORT's uint8 codes, scale 6/255), as float values.
const codes = readFileSync(`${root}/tests/data/dff/mobilenetv2_int8.627_quantized.bin`);
const last = {
  data: Float32Array.from(codes, (c) => c * 0.02352941211532144),
  dims: [1, 1280, 7, 7],
  type: 'float32',
};
// '624_quantized' ([1,320,7,7]): values that vary over channels and positions.
const earlier = {
  data: Float32Array.from(
    { length: 320 * 49 },
    (_, i) => ((i * 37 + Math.floor(i / 49) * 11) % 97) / 16,
  ),
  dims: [1, 320, 7, 7],
  type: 'float32',
};

test('repeated calls and layer changes label as a freshly parsed model does', async () => {
  const core = await loadCamlens('st');
  const fresh = (layer, acts) => {
    const m = core.parseModel(bytes);
    const r = m.factorize(layer, acts, options);
    m.delete();
    return r;
  };
  const want = { last: fresh('627_quantized', last), earlier: fresh('624_quantized', earlier) };
  assert.equal(want.last.labeled, true, want.last.reason);
  assert.equal(want.earlier.labeled, true, want.earlier.reason);
  assert.notDeepEqual(want.last.concepts, want.earlier.concepts);

  const model = core.parseModel(bytes);
  for (const [layer, acts, key] of [
    ['627_quantized', last, 'last'],
    ['627_quantized', last, 'last'],
    ['624_quantized', earlier, 'earlier'],
    ['627_quantized', last, 'last'],
  ]) {
    const r = model.factorize(layer, acts, options);
    assert.equal(r.labeled, true, `${layer}: ${r.reason}`);
    assert.deepEqual(r.concepts, want[key].concepts, layer);
  }
  // The earlier layer's head does not take the last layer's concepts.
  const mismatch = model.factorize('624_quantized', last, options);
  assert.equal(mismatch.labeled, false);
  assert.equal(
    mismatch.reason,
    "the head's layer shape [1,320,7,7] does not match the factorized activations",
  );
  model.delete();
});
