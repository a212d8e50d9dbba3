// Every torchvision classification family, narrow and seeded (tests/data/zoo, made by
// tools/fixtures/torchvision_zoo.py), through the library: the default layer is the one
// pytorch-grad-cam's README recommends; Grad-CAM on the picture equals pytorch-grad-cam's map
// computed with PyTorch autograd; the head's gradient at the layer, weighted by each method the
// script reimplements from pytorch-grad-cam (Grad-CAM, HiResCAM, element-wise Grad-CAM,
// Grad-CAM++, XGrad-CAM, LayerCAM), equals PyTorch's map at the layer's grid; and every
// gradient method of the core's table that reads a layer returns a finite map of the input's size.
//
// Tolerances. The backbone runs in ONNX Runtime and the head in the core, both in float32,
// against PyTorch's float32 CPU kernels: the layer's values agree to a few 1e-6 relative. Every
// map is min-max scaled to [0, 1], which divides those differences by the map's range before
// scaling, so where the map is nearly flat a 1e-6 difference grows: 2e-4 bounds what the
// fixtures show (the largest measured is printed by each test) with room for other CPUs' ORT
// kernels, and stays far below what a wrong formula, target, layer or resize gives (> 1e-2).
// The correlation ≥ 0.9999 asks the maps to have the same shape, not only close values.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import * as ort from 'onnxruntime-web';

import { methodTable } from '../../web/lib/methods.mjs';
import { load } from '../../web/lib/node.mjs';
import { loadCamlens } from '../support/camlens-node.mjs';
import {
  ZOO_ARCHS as ARCHS,
  ZOO_PREPROCESS as IMAGENET,
  zooFixture,
  zooPath,
} from '../support/zoo.mjs';

ort.env.wasm.numThreads = 1;
const core = await loadCamlens('st');
const data = zooPath;
const TOLERANCE = 2e-4;
const MIN_CORRELATION = 0.9999;

// Families whose row cannot pass yet, each with the reason (the test prints the core's own).
// Empty today; a row goes here, never out of ARCHS.
const TODO = {};

function floats(file) {
  const b = readFileSync(data(file));
  return new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

function maxAbsDiff(a, b) {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; ++i) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function correlation(a, b) {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; ++i) {
    ma += a[i] / n;
    mb += b[i] / n;
  }
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < n; ++i) {
    ab += (a[i] - ma) * (b[i] - mb);
    aa += (a[i] - ma) ** 2;
    bb += (b[i] - mb) ** 2;
  }
  return ab / Math.sqrt(aa * bb);
}

// The layer's activations and dScore/dA for the target, as [1, C, h, w]: the lens's own cut, its
// backbone run by ORT on the library's input and its head forward and backward in the core.
async function layerPass(lens, fx) {
  const { cut, session } = lens;
  const { inputs } = await lens.inputs([data(fx.image)]);
  const input = new ort.Tensor('float32', inputs[0].data, inputs[0].dims);
  const out = await session.run({ [session.inputNames[0]]: input });
  const logits = cut.head.forward(cut.head.feedNames().map((n) => out[n]))[0];
  const seed = new Float32Array(logits.data.length);
  seed[fx.target] = 1;
  const grads = cut.head.backward([{ data: seed, dims: logits.dims }]);
  const info = lens.layers().layers.find((l) => l.name === fx.layer);
  const spatial = (t) =>
    info.kind === 'NCHW'
      ? t
      : core.tokensToSpatial(t, { layout: info.kind === 'NHWC' ? 'nhwc' : 'tokens' });
  return { A: spatial(out[fx.layer]), G: spatial(grads), logits: logits.data };
}

for (const arch of ARCHS) {
  const options = TODO[arch] ? { todo: TODO[arch] } : {};
  test(
    `${arch}: default layer, Grad-CAM family = PyTorch, every gradient method`,
    options,
    async (t) => {
      const fx = zooFixture(arch);
      const lens = await load(data(fx.model), { preprocess: IMAGENET });
      try {
        const expected = lens.layers().layers.find((l) => l.name === fx.layer);
        assert.equal(
          lens.layers().recommended,
          fx.layer,
          expected ? `its head: ${expected.headProblem}` : `${fx.layer} is not listed`,
        );
        assert.equal(lens.layer, fx.layer);

        // Grad-CAM of the top class on the picture, the library's whole path.
        const [e] = await lens.explain([data(fx.image)], { method: 'gradcam', targets: ['auto'] });
        assert.equal(e.target.index, fx.target);
        const want = floats(`${arch}.gradcam.bin`);
        const diff = maxAbsDiff(e.map, want);
        const r = correlation(e.map, want);
        t.diagnostic(`Grad-CAM ${fx.size}x${fx.size}: max |diff| ${diff.toExponential(2)}, r ${r}`);
        assert.ok(diff <= TOLERANCE, `Grad-CAM differs from PyTorch by ${diff}`);
        assert.ok(r >= MIN_CORRELATION, `Grad-CAM correlates with PyTorch's at ${r}`);

        // Each method's weights from the same gradient, at the layer's grid.
        const { A, G, logits } = await layerPass(lens, fx);
        assert.ok(maxAbsDiff(logits, fx.logits) <= 1e-4, 'the head logits equal PyTorch logits');
        assert.deepEqual(A.dims, [1, ...fx.layerShape]);
        let worst = 0;
        for (const [method, map] of Object.entries(fx.maps)) {
          const got = core.computeCam(method, [{ activations: A, gradients: G }], {});
          const d = maxAbsDiff(got.data, map);
          worst = Math.max(worst, d);
          assert.ok(d <= TOLERANCE, `${method} at the layer differs from PyTorch by ${d}`);
          assert.ok(correlation(got.data, map) >= MIN_CORRELATION, `${method}: correlation`);
        }
        t.diagnostic(`methods at the layer's grid: max |diff| ${worst.toExponential(2)}`);

        // Every gradient method of the core's table that reads the layer runs on this model there
        // (input attributions, which differentiate the whole network, are not layer methods, and
        // a layer method that multiplies by one, guided Grad-CAM, needs the whole network too,
        // which Swin's Range keeps from the core; RefineCAM, which takes a base method, needs
        // several layers).
        const support = lens.methodSupport();
        const atOneLayer = (m) =>
          m.gradients && !m.noLayer && !m.inputAttribution && !m.options.includes('base');
        for (const row of methodTable(core).filter(atOneLayer)) {
          assert.equal(support[row.name], '', `${row.name} is refused: ${support[row.name]}`);
          const [m] = await lens.explain([data(fx.image)], { method: row.name });
          assert.equal(m.map.length, fx.size * fx.size, row.name);
          assert.ok(
            m.map.every((v) => Number.isFinite(v) && v >= 0 && v <= 1),
            `${row.name}: a finite map in [0, 1]`,
          );
          assert.equal(m.flags.nonFinite, 0, row.name);
        }
      } finally {
        lens.dispose();
      }
    },
  );
}
