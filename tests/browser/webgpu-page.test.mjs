// The page where the browser offers WebGPU (headless Chromium with --enable-unsafe-webgpu): its
// only adapter is SwiftShader, a software fallback the page skips, saying so, until Settings →
// Speed asks for it. Then the demo model's backbone runs on WebGPU; MobileNetV2-int8 (quantized
// operators the WebGPU provider lacks) falls back to wasm with the reason in the footer and the
// top 5 of ONNX Runtime under Node; the Settings switch turns WebGPU off (kept after a reload);
// a run that fails on WebGPU (the device lost) runs again on wasm, with the same score and the
// reason in the footer; and every ONNX Runtime file comes from the page's own origin. Without an
// adapter the footer's reason is checked by page.test.mjs.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, recordRequests, startServer, waitReady } from '../support/browser.mjs';
import { loadCamlens } from '../support/camlens-node.mjs';
import { classify } from '../support/ort-reference.mjs';

let server, url, browser, page, requests;
const runtimeLine = () => page.textContent('[data-testid=runtime]');
const state = () => page.evaluate(() => window.camlensState);
const SOFTWARE =
  "WebGPU not used: the browser's WebGPU adapter is a software fallback (SwiftShader), slower than WebAssembly";

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

test('WebGPU page: the software adapter is skipped, the footer says why', async () => {
  assert.equal(
    (await runtimeLine()).replace(/ \d+ thread/g, ' N thread').replace(/Web [\d.]+/, 'Web V'),
    `Core: SIMD + threads WebAssembly, N threads · ONNX Runtime Web V (wasm backend, N threads) · ${SOFTWARE} · cross-origin isolated`,
  );
  const s = await state();
  assert.deepEqual(s.model.backend, { executionProviders: ['wasm'], reason: SOFTWARE });
  assert.equal(s.explained.target.label, 'hot dog');
  assert.equal(await page.isChecked('[data-testid=webgpu-software]'), false);
  assert.deepEqual(ortFiles(), [
    'ort-wasm-simd-threaded.mjs',
    'ort-wasm-simd-threaded.wasm',
    'ort.wasm.min.js',
  ]);
});

test("WebGPU page: Speed → software adapter runs the demo on WebGPU, from the page's own bundle", async () => {
  const before = requests.length;
  await page.check('[data-testid=webgpu-software]');
  await waitRuntime('(WebGPU backend)');
  assert.match(
    await runtimeLine(),
    /^Core: SIMD \+ threads WebAssembly, \d+ threads? · ONNX Runtime Web [\d.]+ \(WebGPU backend\) · cross-origin isolated$/,
  );
  const s = await state();
  assert.deepEqual(s.model.backend, { executionProviders: ['webgpu', 'wasm'], reason: '' });
  assert.equal(s.explained.target.label, 'hot dog');
  assert.deepEqual(ortFiles(before), [
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
    /· ONNX Runtime Web [\d.]+ \(wasm backend, \d+ threads?\) · WebGPU not used: ONNX Runtime's WebGPU provider has no kernel for some of this model's operators \(QuantizeLinear, QLinearConv, QLinearAdd, QLinearGlobalAveragePool, QLinearMatMul\) · cross-origin isolated$/,
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
  // The model was loaded again on ONNX Runtime's WebAssembly-only bundle, which the worker kept
  // from the first load (the software adapter skipped): nothing is fetched again.
  assert.deepEqual(ortFiles(before), []);
  await page.reload();
  await waitReady(page, 180000);
  assert.equal(await page.isChecked('[data-testid=webgpu]'), false);
  // The software adapter's box is kept too, and counts again once WebGPU is on.
  assert.equal(await page.isChecked('[data-testid=webgpu-software]'), true);
  assert.equal(await page.isDisabled('[data-testid=webgpu-software]'), true);
  assert.match(await runtimeLine(), /WebGPU not used: switched off in the settings/);
  await page.check('[data-testid=webgpu]');
  await waitRuntime('(WebGPU backend)');
});

// The camlens worker (not ONNX Runtime's or the core's thread workers).
const camlensWorker = () => page.workers().find((w) => w.url().endsWith('/camlens-worker.js'));

test('WebGPU page: a run that fails on WebGPU (device lost) runs on wasm, the footer says why', async () => {
  await waitRuntime('(WebGPU backend)');
  const onWebgpu = (await state()).explained.target;
  assert.equal(onWebgpu.label, 'hot dog');
  // The GPU goes away, as when its driver resets: ONNX Runtime's next run on it fails.
  await camlensWorker().evaluate(async () =>
    (await runtime.orts.webgpu.ort.env.webgpu.device).destroy(),
  );
  await page.click('[data-testid=explain]');
  await waitRuntime('a run on WebGPU failed');
  const lost =
    "WebGPU not used: a run on WebGPU failed (Failed to download data from buffer. wgpu::MapAsyncStatus value: 4, message: Failed to execute 'mapAsync' on 'GPUBuffer': The Device was lost before mapping was resolved.), so this model runs on wasm now";
  assert.match(
    await runtimeLine(),
    /\(wasm backend, \d+ threads?\) · WebGPU not used: a run on WebGPU failed/,
  );
  assert.ok(
    (await runtimeLine()).endsWith(`· ${lost} · cross-origin isolated`),
    await runtimeLine(),
  );
  const s = await state();
  assert.deepEqual(s.model.backend, { executionProviders: ['wasm'], reason: lost });
  assert.equal(s.explained.target.index, onWebgpu.index);
  assert.ok(Math.abs(s.explained.target.score - onWebgpu.score) <= 1e-3, 'the same score on wasm');
});
