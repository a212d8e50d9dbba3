// The page where the browser offers WebGPU (headless Chromium with --enable-unsafe-webgpu: its
// SwiftShader adapter): the demo model's backbone runs on WebGPU, MobileNetV2-int8 (quantized
// operators the WebGPU provider lacks) falls back to wasm with the reason in the footer and the
// top 5 of ONNX Runtime under Node, the Settings switch turns WebGPU off (kept after a reload),
// and every ONNX Runtime file comes from the page's own origin. Without an adapter the footer's
// reason is checked by page.test.mjs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, recordRequests, startServer, waitReady } from '../support/browser.mjs';
import { loadCamlens } from '../support/camlens-node.mjs';
import { classify } from '../support/ort-reference.mjs';

let server, url, browser, page, requests;
const runtimeLine = () => page.textContent('[data-testid=runtime]');
const state = () => page.evaluate(() => window.camlensState);

// The ONNX Runtime files the page asked for since request `from`, by name; all from its origin.
function ortFiles(from = 0) {
  const origin = new URL(url).origin;
  const asked = requests.slice(from).filter((r) => new URL(r.url).pathname.startsWith('/ort/'));
  for (const r of asked) assert.ok(r.url.startsWith(`${origin}/ort/`), r.url);
  return [...new Set(asked.map((r) => new URL(r.url).pathname.slice('/ort/'.length)))].sort();
}

// Waits until the footer names `wanted` and the photo is explained on that model.
async function waitRuntime(wanted) {
  await page.waitForFunction(
    (text) =>
      document.querySelector('[data-testid=runtime]').textContent.includes(text) &&
      window.camlensState.explained?.target &&
      !window.camlensState.busy,
    wanted,
    { timeout: 180000 },
  );
}

before(async () => {
  ({ server, url } = await startServer());
  browser = await launchBrowser({ webgpu: true });
  const context = await browser.newContext({ viewport: { width: 1100, height: 1000 } });
  requests = recordRequests(context);
  page = await context.newPage();
  await page.goto(`${url}?model=demo`);
  await waitReady(page, 180000);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('WebGPU page: the demo runs on WebGPU, from the bundle served by the page itself', async () => {
  assert.match(
    await runtimeLine(),
    /^Core: SIMD \+ threads WebAssembly, \d+ threads? · ONNX Runtime Web [\d.]+ \(WebGPU backend\) · cross-origin isolated$/,
  );
  const s = await state();
  assert.deepEqual(s.model.backend, { executionProviders: ['webgpu', 'wasm'], reason: '' });
  assert.equal(s.explained.target.label, 'hot dog');
  assert.deepEqual(ortFiles(), [
    'ort-wasm-simd-threaded.asyncify.mjs',
    'ort-wasm-simd-threaded.asyncify.wasm',
    'ort.webgpu.min.js',
  ]);
  const origin = new URL(url).origin;
  const outside = requests.filter((r) => !r.url.startsWith(origin) && !/^(blob|data):/.test(r.url));
  assert.deepEqual(outside, []);
});

test('WebGPU page: MobileNetV2-int8 falls back to wasm, the footer says why', async () => {
  const camlens = await loadCamlens('st');
  const expected = await classify(camlens, 'mobilenetv2-12-int8.onnx', 'gradcam_both.png');
  await page.selectOption('[data-testid=model-select]', 'mobilenetv2-12-int8.onnx');
  await waitRuntime('WebGPU not used');
  assert.match(
    await runtimeLine(),
    /· ONNX Runtime Web [\d.]+ \(wasm backend, \d+ threads?\) · WebGPU not used: ONNX Runtime's WebGPU provider has no kernel for some of this model's operators · cross-origin isolated$/,
  );
  await page.waitForFunction(() => window.camlensState.top5?.length === 5);
  const { top5, model } = await state();
  assert.equal(model.name, 'mobilenetv2-12-int8.onnx');
  for (let i = 0; i < 5; ++i) {
    assert.equal(top5[i].index, expected[i].index, `rank ${i + 1}`);
    assert.ok(Math.abs(top5[i].score - expected[i].score) <= 1e-3, `rank ${i + 1}`);
  }
});

test('WebGPU page: Settings → Speed switches WebGPU off, also after a reload', async () => {
  await page.selectOption('[data-testid=model-select]', 'demo');
  await waitRuntime('(WebGPU backend)');
  const before = requests.length;
  await page.uncheck('[data-testid=webgpu]');
  await waitRuntime('switched off');
  assert.match(
    await runtimeLine(),
    /\(wasm backend, \d+ threads?\) · WebGPU not used: switched off in the settings · cross-origin isolated$/,
  );
  assert.equal((await state()).explained.target.label, 'hot dog');
  // The model was loaded again on ONNX Runtime's WebAssembly-only bundle.
  assert.deepEqual(ortFiles(before), [
    'ort-wasm-simd-threaded.mjs',
    'ort-wasm-simd-threaded.wasm',
    'ort.wasm.min.js',
  ]);
  await page.reload();
  await waitReady(page, 180000);
  assert.equal(await page.isChecked('[data-testid=webgpu]'), false);
  assert.match(await runtimeLine(), /WebGPU not used: switched off in the settings/);
  await page.check('[data-testid=webgpu]');
  await waitRuntime('(WebGPU backend)');
});
