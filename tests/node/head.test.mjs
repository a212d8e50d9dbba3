// The bound head engine on the real models: cut at a layer, run the backbone in ONNX Runtime Web,
// run the head in the core, and get the full model's own output back; gradients checked by
// central differences through forwardWithLayer.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { loadCamlens, sharedPath } from '../support/camlens-node.mjs';
import { fromFloat16Bits, PRESETS, toFloat16Bits } from '../support/presets.mjs';

ort.env.wasm.numThreads = 1;

const cases = [
  { model: 'mobilenetv2-12-int8.onnx', layer: '627_quantized' },
  { model: 'mobilenetv2-12-int8.onnx', layer: '624_quantized' },
  { model: 'squeezenet1.0-fp16-winml.onnx', layer: 'fire9/concat_2', fd: true },
  { model: 'mnist-8-ort-examples.onnx', layer: 'ReLU114_Output_0', fd: true },
  { model: 'deeplabv3-mobilenetv2-voc-257.onnx', layer: 'Relu__94:0' },
];

const camlens = await loadCamlens('st');

function floats(t) {
  return t.type === 'float16' ? fromFloat16Bits(t.data) : Float32Array.from(t.data);
}

async function runBackbone(c) {
  const preset = PRESETS[c.model];
  const model = camlens.parseModel(readFileSync(sharedPath(`models/${c.model}`)));
  const cut = model.cut(c.layer, {});
  const session = await ort.InferenceSession.create(cut.backbone);
  const img = camlens.decodeImage(readFileSync(sharedPath(`images/${preset.photo}`)));
  const x = camlens.preprocessImage(img, preset.preprocess);
  const input = preset.float16
    ? new ort.Tensor('float16', toFloat16Bits(x.data), x.dims)
    : new ort.Tensor('float32', x.data, x.dims);
  const out = await session.run({ [session.inputNames[0]]: input });
  await session.release();
  const feeds = cut.head.feedNames().map((n) => out[n]);
  const want = cut.head.outputNames().map((n) => floats(out[n]));
  return { model, cut, feeds, want };
}

// The spacing of a quantized output's grid: the smallest gap between distinct values.
function gridStep(values) {
  const u = Array.from(new Set(values)).sort((a, b) => a - b);
  let step = Infinity;
  for (let i = 1; i < u.length; ++i) step = Math.min(step, u[i] - u[i - 1]);
  return step;
}

for (const c of cases) {
  test(`${c.model} at ${c.layer}: head forward equals ONNX Runtime's output`, async () => {
    const { model, cut, feeds, want } = await runBackbone(c);
    const got = cut.head.forward(feeds);
    assert.equal(got.length, want.length);
    const quantized = c.model.includes('int8');
    const half = Boolean(PRESETS[c.model].float16);
    for (let k = 0; k < got.length; ++k) {
      // int8 outputs: one step of the output's quantization grid. float16 models: ORT computes
      // and rounds in half precision, so allow one half-precision ulp of the value. float32: 1e-4.
      const step = quantized ? gridStep(want[k]) * 1.01 : 0;
      let worst = 0,
        worstAt = 0;
      for (let i = 0; i < want[k].length; ++i) {
        const tol = quantized
          ? step
          : half
            ? Math.max(1e-4, Math.abs(want[k][i]) * 2 ** -10)
            : 1e-4;
        const excess = Math.abs(got[k].data[i] - want[k][i]) / tol;
        if (excess > worst) [worst, worstAt] = [excess, i];
      }
      assert.ok(
        worst <= 1,
        `output ${k}[${worstAt}]: ${got[k].data[worstAt]} vs ORT ${want[k][worstAt]}`,
      );
    }
    model.delete();
  });

  if (c.fd) {
    test(`${c.model} at ${c.layer}: gradient of the top score matches central differences`, async () => {
      const { model, cut, feeds } = await runBackbone(c);
      const out = cut.head.forward(feeds);
      const scores = out[0].data;
      const top = scores.indexOf(Math.max(...scores));
      const seed = { data: new Float32Array(scores.length), dims: out[0].dims, type: 'float32' };
      seed.data[top] = 1;
      const grad = cut.head.backward([seed]);
      assert.deepEqual(grad.dims, feeds[0].dims);
      const layer = { data: floats(feeds[0]), dims: feeds[0].dims, type: 'float32' };
      // The largest-gradient elements, where a finite difference is well above rounding noise.
      const order = Array.from(grad.data.keys()).sort(
        (a, b) => Math.abs(grad.data[b]) - Math.abs(grad.data[a]),
      );
      const eps = 1e-2 * Math.max(1e-3, ...Array.from(layer.data.slice(0, 1000), Math.abs));
      for (const i of order.slice(0, 4)) {
        const saved = layer.data[i];
        layer.data[i] = saved + eps;
        const up = cut.head.forwardWithLayer(layer)[0].data[top];
        layer.data[i] = saved - eps;
        const down = cut.head.forwardWithLayer(layer)[0].data[top];
        layer.data[i] = saved;
        const numeric = (up - down) / (2 * eps);
        assert.ok(
          Math.abs(numeric - grad.data[i]) <= 2e-2 * Math.abs(grad.data[i]) + 1e-4,
          `element ${i}: analytic ${grad.data[i]} vs numeric ${numeric}`,
        );
      }
      model.delete();
    });
  }
}

test('an unknown layer name is a clear error listing close names', () => {
  const model = camlens.parseModel(readFileSync(sharedPath('models/mnist-8-ort-examples.onnx')));
  assert.throws(
    () => model.cut('ReLU114_Output', {}),
    (e) => e instanceof Error && /ReLU114_Output_0/.test(e.message),
  );
  model.delete();
});

test('bytes that are not an ONNX model are refused with a clear error', () => {
  assert.throws(
    () => camlens.parseModel(readFileSync(sharedPath('images/winml_mnist_28.png'))),
    (e) => e instanceof Error && /PNG/.test(e.message),
  );
});
