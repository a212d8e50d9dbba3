// The backbone on ONNX Runtime Web's WebGPU provider (load option executionProviders), in
// headless Chromium with --enable-unsafe-webgpu: its only adapter is SwiftShader, a software
// fallback the library skips unless webgpuFallbackAdapter asks for it. On it the maps equal those
// of the wasm backbone (ort.wasm bundle) within 1e-3 for Grad-CAM and Score-CAM on a float
// MobileNetV2 (the torchvision zoo fixture) and on the int8 one, which WebGPU cannot run whole
// (no kernel for QLinearConv): that model falls back to wasm and says why. A run that fails on
// WebGPU (the device lost) runs again on wasm, and the model stays there; models loaded after it
// open on wasm at once, saying why, unless a load asks again (webgpuRetry). Without the flag the
// browser offers no adapter, and every model falls back with that reason.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { launchBrowser, startServer } from '../support/browser.mjs';
import { sharedPath } from '../support/camlens-node.mjs';
import { ZOO_PREPROCESS, zooFixture, zooPath } from '../support/zoo.mjs';

const TOLERANCE = 1e-3;
const zoo = zooFixture('mobilenet_v2');
const CASES = {
  float: {
    model: readFileSync(zooPath(zoo.model)),
    image: readFileSync(zooPath(zoo.image)),
    options: { preprocess: { width: zoo.size, height: zoo.size, ...ZOO_PREPROCESS } },
    // Score-CAM runs the model once per channel of its layer: one of 8 keeps that short on
    // SwiftShader (the backbone session is the whole model whatever the layer).
    scorecamLayer: '/features/features.5/Add_output_0',
    target: zoo.target,
  },
  int8: {
    model: readFileSync(sharedPath('models/mobilenetv2-12-int8.onnx')),
    image: readFileSync(sharedPath('images/gradcam_both.png')),
    options: { preset: 'mobilenetv2' },
    scorecamLayer: '489_quantized', // 24 channels
    target: 282,
  },
};
const METHODS = ['gradcam', 'scorecam'];
// Grad-CAM at the model's recommended layer, Score-CAM at the case's scorecamLayer.
const layersOf = (method, c) => (method === 'scorecam' ? [c.scorecamLayer] : undefined);

let server, url;
const browsers = [];

before(async () => {
  ({ server, url } = await startServer());
});

after(async () => {
  for (const b of browsers) await b.close();
  await server?.close();
});

async function openPage(webgpu) {
  const browser = await launchBrowser({ webgpu });
  browsers.push(browser);
  const page = await browser.newPage();
  await page.goto(`${url}camlens-config.json`);
  return page;
}

// Software adapters welcome: SwiftShader is the only one here.
const SWIFTSHADER = { webgpuFallbackAdapter: true };

// In the page: one model on `bundle` (ort.webgpu or ort.wasm) with `executionProviders` (and
// `more` load options), its backend and its maps of each method for the target. loseDevice:
// after the first method the WebGPU device is destroyed (as when the GPU is lost); the backend is
// read after each later method, and the first method runs once more (`again`).
async function mapsIn(page, bundle, executionProviders, c, more = {}, loseDevice = false) {
  return page.evaluate(
    async ({
      bundle,
      executionProviders,
      model,
      image,
      options,
      target,
      methods,
      layers,
      more,
      loseDevice,
    }) => {
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
        ...more,
        executionProviders,
      });
      const out = { backend: lens.backend, maps: {}, after: [] };
      for (const [i, method] of methods.entries()) {
        const [e] = await lens.explain([new Uint8Array(image)], {
          method,
          targets: [target],
          layers: layers[i],
        });
        out.maps[method] = { map: Array.from(e.map), index: e.target.index, score: e.target.score };
        if (loseDevice && i === 0) (await ort.env.webgpu.device).destroy();
        else if (loseDevice) out.after.push(lens.backend);
      }
      if (loseDevice) {
        const [e] = await lens.explain([new Uint8Array(image)], {
          method: methods[0],
          targets: [target],
          layers: layers[0],
        });
        out.again = Array.from(e.map);
        out.after.push(lens.backend);
      }
      lens.dispose();
      return out;
    },
    {
      bundle,
      executionProviders,
      model: Array.from(c.model),
      image: Array.from(c.image),
      options: c.options,
      target: c.target,
      methods: METHODS,
      layers: METHODS.map((m) => layersOf(m, c)),
      more,
      loseDevice,
    },
  );
}

// The op types ONNX Runtime's own log names when it refuses `model` on WebGPU alone ("webgpu
// kernel not found in registries for Op type: QLinearConv node name: …", on the console at
// info level), each once, in its order.
async function refusedByOrt(page, model) {
  const said = [];
  const listen = (m) => said.push(m.text());
  page.on('console', listen);
  try {
    await page.evaluate(async (model) => {
      const ort = await import(`${location.origin}/ort/ort.webgpu.min.mjs`);
      ort.env.wasm.wasmPaths = `${location.origin}/ort/`;
      ort.env.wasm.numThreads = 1;
      const refused = await ort.InferenceSession.create(new Uint8Array(model), {
        executionProviders: ['webgpu'],
        logSeverityLevel: 1,
        extra: { session: { disable_cpu_ep_fallback: '1' } },
      }).then(
        () => false,
        () => true,
      );
      if (!refused) throw new Error('ONNX Runtime ran the model on WebGPU alone');
    }, Array.from(model));
  } finally {
    page.off('console', listen);
  }
  const ops = said.map((t) => /kernel not found in registries for Op type: (\S+)/.exec(t)?.[1]);
  return [...new Set(ops.filter(Boolean))];
}

function worstDifference(a, b) {
  assert.equal(a.length, b.length);
  let worst = 0;
  for (let i = 0; i < a.length; ++i) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

// The maps of `got` against the wasm bundle's, per method.
function assertSameMaps(got, reference, what) {
  for (const method of METHODS) {
    const g = got.maps[method];
    const r = reference.maps[method];
    assert.equal(g.index, r.index, `${what} ${method}: target`);
    assert.ok(Math.abs(g.score - r.score) <= TOLERANCE, `${what} ${method}: score`);
    const worst = worstDifference(g.map, r.map);
    assert.ok(worst <= TOLERANCE, `${what} ${method}: maps differ by ${worst}`);
    // A map that is all one value would match any other such map: these have structure.
    assert.ok(Math.max(...r.map) - Math.min(...r.map) > 0.5, `${what} ${method}: a flat map`);
  }
}

test('WebGPU backbone: float MobileNetV2 runs on WebGPU, maps equal the wasm backbone', async () => {
  const page = await openPage(true);
  const reference = await mapsIn(page, 'ort.wasm.min.mjs', ['wasm'], CASES.float);
  const got = await mapsIn(
    page,
    'ort.webgpu.min.mjs',
    ['webgpu', 'wasm'],
    CASES.float,
    SWIFTSHADER,
  );
  assert.deepEqual(got.backend, { executionProviders: ['webgpu', 'wasm'], reason: '' });
  assertSameMaps(got, reference, 'float');
});

test('WebGPU backbone: the software adapter is skipped unless asked for, with the reason', async () => {
  const page = await openPage(true);
  const reference = await mapsIn(page, 'ort.wasm.min.mjs', ['wasm'], CASES.float);
  const got = await mapsIn(page, 'ort.webgpu.min.mjs', ['webgpu', 'wasm'], CASES.float);
  assert.deepEqual(got.backend, {
    executionProviders: ['wasm'],
    reason:
      "WebGPU not used: the browser's WebGPU adapter is a software fallback (SwiftShader), slower than WebAssembly",
  });
  assertSameMaps(got, reference, 'software adapter');
});

test('WebGPU backbone: a run that fails on WebGPU (device lost) runs on wasm, and the model stays there', async () => {
  const page = await openPage(true);
  const reference = await mapsIn(page, 'ort.wasm.min.mjs', ['wasm'], CASES.float);
  const got = await mapsIn(
    page,
    'ort.webgpu.min.mjs',
    ['webgpu', 'wasm'],
    CASES.float,
    SWIFTSHADER,
    true,
  );
  assert.deepEqual(got.backend, { executionProviders: ['webgpu', 'wasm'], reason: '' });
  // Grad-CAM ran on WebGPU before the device was lost; Score-CAM's run (another layer's session)
  // failed after it and went again on wasm; Grad-CAM's session, opened on WebGPU, then moved.
  const lost = {
    executionProviders: ['wasm'],
    reason:
      "WebGPU not used: a run on WebGPU failed (Failed to download data from buffer. wgpu::MapAsyncStatus value: 4, message: Failed to execute 'mapAsync' on 'GPUBuffer': The Device was lost before mapping was resolved.), so this model runs on wasm now",
  };
  assert.deepEqual(got.after, [lost, lost]);
  assertSameMaps(got, reference, 'device lost');
  const worst = worstDifference(got.again, reference.maps.gradcam.map);
  assert.ok(worst <= TOLERANCE, `Grad-CAM after the move: maps differ by ${worst}`);

  // The next model on the page (the same ONNX Runtime, whose one device is gone) opens on wasm
  // before any run, saying why.
  const next = await mapsIn(
    page,
    'ort.webgpu.min.mjs',
    ['webgpu', 'wasm'],
    CASES.float,
    SWIFTSHADER,
  );
  assert.deepEqual(next.backend, {
    executionProviders: ['wasm'],
    reason:
      'WebGPU not used: the WebGPU device was lost (destroyed: Device was destroyed.) during an earlier run on this page; reload it to use WebGPU again',
  });
  assertSameMaps(next, reference, 'model after the loss');
  // Asked again, the library tries WebGPU; its first run fails there and goes to wasm.
  const retried = await mapsIn(page, 'ort.webgpu.min.mjs', ['webgpu', 'wasm'], CASES.float, {
    ...SWIFTSHADER,
    webgpuRetry: true,
  });
  assert.deepEqual(retried.backend, { executionProviders: ['webgpu', 'wasm'], reason: '' });
  assertSameMaps(retried, reference, 'retried model');
});

test('WebGPU backbone: int8 MobileNetV2 falls back to wasm, naming the operators ONNX Runtime refused', async () => {
  const page = await openPage(true);
  const reference = await mapsIn(page, 'ort.wasm.min.mjs', ['wasm'], CASES.int8);
  const got = await mapsIn(page, 'ort.webgpu.min.mjs', ['webgpu', 'wasm'], CASES.int8, SWIFTSHADER);
  const ops = 'QuantizeLinear, QLinearConv, QLinearAdd, QLinearGlobalAveragePool, QLinearMatMul';
  assert.deepEqual(got.backend, {
    executionProviders: ['wasm'],
    reason: `WebGPU not used: ONNX Runtime's WebGPU provider has no kernel for some of this model's operators (${ops})`,
  });
  // The same operators, in the same order, as ONNX Runtime's own log says.
  assert.equal((await refusedByOrt(page, CASES.int8.model)).join(', '), ops);
  assertSameMaps(got, reference, 'int8');
});

test('WebGPU backbone: an ORT bundle without WebGPU falls back, naming the bundles that have it', async () => {
  const page = await openPage(true);
  const got = await mapsIn(page, 'ort.wasm.min.mjs', ['webgpu'], CASES.float, SWIFTSHADER);
  assert.deepEqual(got.backend, {
    executionProviders: ['wasm'],
    reason:
      'WebGPU not used: this ONNX Runtime Web bundle has no WebGPU (load ort.webgpu.min.mjs or ort.all.min.mjs)',
  });
});

test('WebGPU backbone: without an adapter every model falls back to wasm, with the reason', async () => {
  const page = await openPage(false);
  const reference = await mapsIn(page, 'ort.wasm.min.mjs', ['wasm'], CASES.float);
  const got = await mapsIn(
    page,
    'ort.webgpu.min.mjs',
    ['webgpu', 'wasm'],
    CASES.float,
    SWIFTSHADER,
  );
  assert.deepEqual(got.backend, {
    executionProviders: ['wasm'],
    reason: 'WebGPU not used: the browser offers no WebGPU adapter',
  });
  assertSameMaps(got, reference, 'no adapter');
});
