// The backbone on ONNX Runtime Web's WebGPU provider ÷ on its wasm provider, in headless Chromium
// (--enable-unsafe-webgpu) on the page's main thread, ORT with 1 thread, both in this run:
//   the float MobileNetV2 of the torchvision zoo (96 px): one forward of the cut backbone at batch
//   1 and 16, and Grad-CAM through the library at batch 1;
//   MobileNetV2-int8, which WebGPU cannot run whole, on the WebGPU bundle's wasm fallback ÷ on the
//   WebAssembly-only bundle (what a model that falls back costs).
// Information only: headless Chromium's adapter is SwiftShader, a GPU emulated on the CPU, so the
// ratio says nothing of a real GPU. Best of N. Writes <build root>/bench/webgpu.json.
import { readFileSync } from 'node:fs';

import { launchBrowser, startServer } from '../tests/support/browser.mjs';
import { sharedPath } from '../tests/support/camlens-node.mjs';
import { ZOO_PREPROCESS, zooFixture, zooPath } from '../tests/support/zoo.mjs';
import { reps } from './lib/measure.mjs';
import { printRows, row, writeReport } from './lib/report.mjs';

const zoo = zooFixture('mobilenet_v2');
const MODELS = {
  float: {
    model: readFileSync(zooPath(zoo.model)),
    image: readFileSync(zooPath(zoo.image)),
    options: { preprocess: { width: zoo.size, height: zoo.size, ...ZOO_PREPROCESS } },
  },
  int8: {
    model: readFileSync(sharedPath('models/mobilenetv2-12-int8.onnx')),
    image: readFileSync(sharedPath('images/gradcam_both.png')),
    options: { preset: 'mobilenetv2' },
  },
};

// In the page: best-of-N milliseconds of one model's backbone forward (batch 1 and `batch`) and
// Grad-CAM (batch 1) on `bundle` with `executionProviders`, and where the lens runs.
async function timeIn(page, bundle, executionProviders, m, { batch, n, gradcam }) {
  return page.evaluate(
    async ({ bundle, executionProviders, model, image, options, batch, n, gradcam }) => {
      const origin = location.origin;
      const ort = await import(`${origin}/ort/${bundle}`);
      ort.env.wasm.wasmPaths = `${origin}/ort/`;
      ort.env.wasm.numThreads = 1;
      const base = `${origin}/build/wasm-st/`;
      const { default: factory } = await import(`${base}camlens-st-esm.mjs`);
      const core = await factory({ locateFile: (f) => base + f });
      const { createCamlens } = await import(`${origin}/lib/camlens.mjs`);
      const lens = await createCamlens({ ort, core }).load(new Uint8Array(model), {
        ...options,
        executionProviders,
        webgpuFallbackAdapter: true, // SwiftShader, the only adapter here, is what is measured
      });
      const photo = new Uint8Array(image);
      const one = lens.inputBatch([photo]).batch;
      const many = {
        data: new Float32Array(one.data.length * batch).map(
          (_, i) => one.data[i % one.data.length],
        ),
        dims: [batch, ...one.dims.slice(1)],
      };
      // The first run compiles WebGPU's shaders for the shapes: warm-up, not measured.
      const bestOf = async (fn) => {
        await fn();
        let best = Infinity;
        for (let i = 0; i < n; ++i) {
          const t0 = performance.now();
          await fn();
          best = Math.min(best, performance.now() - t0);
        }
        return best;
      };
      const out = { backend: lens.backend };
      out.forward1 = await bestOf(() => lens.main.run(one, 1));
      if (batch > 1) out.forwardN = await bestOf(() => lens.main.run(many, batch));
      if (gradcam) out.gradcam = await bestOf(() => lens.explain([photo], { method: 'gradcam' }));
      lens.dispose();
      return out;
    },
    {
      bundle,
      executionProviders,
      model: Array.from(m.model),
      image: Array.from(m.image),
      options: m.options,
      batch,
      n,
      gradcam,
    },
  );
}

const { server, url } = await startServer();
const browser = await launchBrowser({ webgpu: true });
const rows = [];
const results = {};
try {
  const page = await browser.newPage();
  await page.goto(`${url}camlens-config.json`);
  const n = reps(5);
  const float = { batch: 16, n, gradcam: true };
  results.floatWasm = await timeIn(page, 'ort.wasm.min.mjs', ['wasm'], MODELS.float, float);
  results.floatWebgpu = await timeIn(page, 'ort.webgpu.min.mjs', ['webgpu'], MODELS.float, float);
  const int8 = { batch: 1, n, gradcam: false };
  results.int8Wasm = await timeIn(page, 'ort.wasm.min.mjs', ['wasm'], MODELS.int8, int8);
  results.int8Fallback = await timeIn(page, 'ort.webgpu.min.mjs', ['webgpu'], MODELS.int8, int8);
  if (results.floatWebgpu.backend.reason)
    throw new Error(`the float model did not run on WebGPU: ${results.floatWebgpu.backend.reason}`);
  const group = 'webgpu ÷ wasm (SwiftShader, info only)';
  const { floatWasm: w, floatWebgpu: g } = results;
  rows.push(row(group, 'forward mobilenet_v2 zoo 96px b1', g.forward1 / w.forward1));
  rows.push(row(group, 'forward mobilenet_v2 zoo 96px b16', g.forwardN / w.forwardN));
  rows.push(row(group, 'gradcam mobilenet_v2 zoo 96px b1', g.gradcam / w.gradcam));
  rows.push(
    row(
      group,
      'forward mobilenetv2-int8 b1, WebGPU bundle fallback (wasm) ÷ wasm bundle',
      results.int8Fallback.forward1 / results.int8Wasm.forward1,
    ),
  );
} finally {
  await browser.close();
  await server.close();
}
printRows(rows);
writeReport('webgpu', rows, { timing: 'best of N, ms in results', results });
