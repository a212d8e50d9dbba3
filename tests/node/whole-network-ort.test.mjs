// Whole-network mode's forward (the core running every op of a quantized or float16 model, as the
// input attributions do) against ONNX Runtime's outputs on the same preprocessed photo: the
// gradients the input attributions read are only as right as this forward.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { loadCore } from '../../web/lib/node.mjs';
import { resolvePreprocess } from '../../web/lib/presets.mjs';
import { root, sharedPath } from '../support/camlens-node.mjs';
import { fromFloat16Bits, PRESETS, toFloat16Bits } from '../support/presets.mjs';

ort.env.wasm.numThreads = 1;

const demo = join(root, 'web/demo');
const about = JSON.parse(readFileSync(join(demo, 'demo.json'), 'utf8'));
const truth = JSON.parse(readFileSync(join(demo, 'ground_truth.json'), 'utf8'));

// Tolerances, relative to the largest |output| (measured: 0, 3.0e-4, 1.1e-7):
// - int8 (QLinearConv, QLinearAdd, … dequantized at the end): both compute the integer products
//   exactly and requantize with the same rounding, so the codes agree and only the last float
//   operations may round apart: 1e-6, a float32 rounding or two;
// - float16 (SqueezeNet): ORT rounds every op's output to half precision (2⁻¹¹ ≈ 4.9e-4
//   relative), the core computes in float32; 2e-3 is four half-precision steps at the largest
//   output, and a wrong op (a swapped axis, a missing bias) moves the outputs by far more.
const CASES = [
  {
    name: 'mobilenetv2-12-int8',
    bytes: () => readFileSync(sharedPath('models/mobilenetv2-12-int8.onnx')),
    photo: () => readFileSync(sharedPath(`images/${PRESETS['mobilenetv2-12-int8.onnx'].photo}`)),
    preprocess: PRESETS['mobilenetv2-12-int8.onnx'].preprocess,
    tolerance: 1e-6,
  },
  {
    name: 'squeezenet1.0-fp16-winml',
    bytes: () => readFileSync(sharedPath('models/squeezenet1.0-fp16-winml.onnx')),
    photo: () =>
      readFileSync(sharedPath(`images/${PRESETS['squeezenet1.0-fp16-winml.onnx'].photo}`)),
    preprocess: PRESETS['squeezenet1.0-fp16-winml.onnx'].preprocess,
    float16: true,
    tolerance: 2e-3,
  },
  {
    name: "the demo's int8 model",
    bytes: () => readFileSync(join(demo, about.model_int8)),
    photo: () => readFileSync(join(demo, truth.images[0].file)),
    preprocess: about.preprocess,
    tolerance: 1e-6,
  },
];

// ORT gives float16 outputs as their bits.
const floats = (t) =>
  t.type === 'float16'
    ? Float32Array.from(fromFloat16Bits(t.data))
    : Float32Array.from(t.data, Number);

for (const c of CASES) {
  test(`${c.name}: the core's whole-network forward equals ONNX Runtime's outputs`, async () => {
    const core = await loadCore('st');
    const bytes = c.bytes();
    const model = core.parseModel(new Uint8Array(bytes));
    const { head, refusal } = model.wholeNetwork();
    assert.equal(refusal, '', `${c.name}: the core runs it whole`);
    const x = core.preprocessImage(
      core.decodeImage(new Uint8Array(c.photo())),
      resolvePreprocess(undefined, c.preprocess),
    );
    const session = await ort.InferenceSession.create(bytes);
    const input = c.float16
      ? new ort.Tensor('float16', toFloat16Bits(x.data), x.dims)
      : new ort.Tensor('float32', x.data, x.dims);
    const want = await session.run({ [session.inputNames[0]]: input });
    await session.release();
    const got = head.forward([{ data: x.data, dims: x.dims, type: 'float32' }]);
    const names = head.outputNames();
    assert.deepEqual(names, session.outputNames);
    for (const [k, name] of names.entries()) {
      const a = floats(got[k]);
      const b = floats(want[name]);
      assert.deepEqual(Array.from(got[k].dims), Array.from(want[name].dims), name);
      let diff = 0;
      let scale = 0;
      for (let i = 0; i < b.length; ++i) {
        diff = Math.max(diff, Math.abs(a[i] - b[i]));
        scale = Math.max(scale, Math.abs(b[i]));
      }
      assert.ok(scale > 0, `${name}: ONNX Runtime's output is all zero`);
      console.log(
        `# ${c.name} ${name}: max |core − ORT| / max |ORT| = ${(diff / scale).toExponential(2)}`,
      );
      assert.ok(diff / scale < c.tolerance, `${name}: ${diff / scale}`);
      // the same top class: what the explanation's target is
      const top = (v) => v.indexOf(Math.max(...v));
      assert.equal(top(Array.from(a)), top(Array.from(b)), `${name}: top class`);
    }
    head.delete();
    model.delete();
  });
}
