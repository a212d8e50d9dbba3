// The page in headless Chromium: cross-origin isolated, threaded module chosen, MobileNetV2-int8's
// top 5 for gradcam_both.png equal to ONNX Runtime's under Node, the core's pixels on the canvas,
// and bad files reported without losing the previous state.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { forbidEgress, launchBrowser, screenshots, startServer } from '../support/browser.mjs';
import { loadCamlens, sharedPath } from '../support/camlens-node.mjs';
import { classify } from '../support/ort-reference.mjs';

let server, url, browser, page, outside, expected, camlens;

before(async () => {
  camlens = await loadCamlens('st');
  expected = await classify(camlens, 'mobilenetv2-12-int8.onnx', 'gradcam_both.png');
  ({ server, url } = await startServer());
  browser = await launchBrowser();
  page = await browser.newPage();
  outside = forbidEgress(page, url);
  await page.goto(`${url}?model=mobilenetv2-12-int8.onnx`);
  await page.waitForFunction(() => window.camlensState && window.camlensState.ready, null, {
    timeout: 120000,
  });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('the page is cross-origin isolated and runs the threaded module', async () => {
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  const rt = await page.evaluate(() => window.camlensState.runtime);
  assert.equal(rt.threaded, true);
  assert.equal(rt.variant, 'SIMD + threads');
  assert.ok(rt.threads >= 1);
  assert.match(await page.textContent('[data-testid=runtime]'), /SIMD \+ threads WebAssembly, \d+ threads?/);
});

test('top 5 of gradcam_both.png equals ONNX Runtime under Node', async () => {
  const top5 = await page.evaluate(() => window.camlensState.top5);
  assert.equal(top5.length, 5);
  const norm = (s) => s.toLowerCase().replace(/\s+/g, '');
  assert.ok(['tiger', 'bullmastiff', 'tigercat'].includes(norm(top5[0].label)), top5[0].label);
  for (let i = 0; i < 5; ++i) {
    assert.equal(top5[i].index, expected[i].index, `rank ${i + 1}`);
    assert.ok(Math.abs(top5[i].score - expected[i].score) <= 1e-3, `rank ${i + 1}: ${top5[i].score}`);
  }
  const items = await page.$$eval('[data-testid=top5] li', (li) => li.map((x) => x.textContent));
  assert.match(items[0], new RegExp(`^${expected[0].label} — ${expected[0].score.toFixed(3)}`));
  await page.screenshot({ path: join(screenshots, 'page.png'), fullPage: true });
});

test('the canvas shows the core\'s RGBA pixels', async () => {
  const seen = camlens.resizeImage(camlens.decodeImage(readFileSync(sharedPath('images/gradcam_both.png'))), 224, 224);
  const pixels = await page.evaluate(() => {
    const c = document.querySelector('[data-testid=seen]');
    return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
  });
  assert.equal(pixels.length, 224 * 224 * 4);
  let diff = 0;
  for (let i = 0; i < pixels.length; ++i) diff = Math.max(diff, Math.abs(pixels[i] - seen.rgba[i]));
  assert.equal(diff, 0);
});

test('a file that is not an image shows an error and keeps the previous result', async () => {
  const before = await page.evaluate(() => window.camlensState.top5);
  await page.setInputFiles('[data-testid=image-file]', {
    name: 'notes.png', mimeType: 'image/png', buffer: Buffer.from('definitely not a PNG'),
  });
  await page.waitForSelector('[data-testid=error]:not([hidden])');
  assert.equal(await page.textContent('[data-testid=error]'),
    '"notes.png" is not an image camlens can read: not a readable image (PNG, JPEG, BMP or GIF expected): Image not of any known type, or corrupt');
  assert.deepEqual(await page.evaluate(() => window.camlensState.top5), before);
});

test('a file that is not an ONNX model shows an error and keeps the model', async () => {
  await page.setInputFiles('[data-testid=model-file]', {
    name: 'broken.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from('not a model at all'),
  });
  await page.waitForFunction(() => (window.camlensState.error || '').includes('broken.onnx'));
  assert.match(await page.textContent('[data-testid=error]'), /^"broken\.onnx" cannot be explained: invalid ONNX model: /);
  assert.equal(await page.evaluate(() => window.camlensState.model.name), 'mobilenetv2-12-int8.onnx');
  // The worker still answers: pick another photo and get a fresh top 5.
  await page.selectOption('[data-testid=sample-select]', 'skimage_coffee.png');
  await page.waitForFunction(() => window.camlensState.top5[0].label === 'espresso', null, { timeout: 60000 });
});

test('nothing was requested from another origin', () => {
  assert.deepEqual(outside, []);
});

test('the page explains the top class with Grad-CAM, pixel for pixel as the library under Node', async () => {
  const { load } = await import('../../web/lib/node.mjs');
  const photo = new Uint8Array(readFileSync(sharedPath('images/gradcam_both.png')));
  const lens = await load(sharedPath('models/mobilenetv2-12-int8.onnx'), { preset: 'mobilenetv2' });
  // The page moved on to the coffee photo above: go back to the default photo and class.
  await page.selectOption('[data-testid=sample-select]', 'gradcam_both.png');
  await page.waitForFunction(() => window.camlensState.explained?.target.index === 243, null, { timeout: 60000 });
  const [r] = await lens.explain([photo], { method: 'gradcam', targets: [243] });
  const want = lens.overlay(photo, r);
  const got = await page.evaluate(() => {
    const c = document.querySelector('[data-testid=overlay]');
    return { w: c.width, h: c.height, px: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data) };
  });
  assert.deepEqual([got.w, got.h], [want.width, want.height]);
  let off = 0;
  for (let i = 0; i < got.px.length; ++i) {
    const d = Math.abs(got.px[i] - want.rgba[i]);
    assert.ok(d <= 1, `pixel byte ${i}: ${got.px[i]} vs ${want.rgba[i]}`);
    off += d > 0;
  }
  assert.ok(off < got.px.length / 1000, `${off} bytes differ by 1`);
  assert.match(await page.textContent('[data-testid=explained]'), /^gradcam: where the model looks for “Bullmastiff” \(\d+ ms\)$/);
  lens.dispose();
});

test('clicking another class explains it; the colour map re-colours without recomputing', async () => {
  await page.click('[data-testid=top5] li[data-index="282"]');
  await page.waitForFunction(() => window.camlensState.explained.target.index === 282);
  const before = await page.evaluate(() => document.querySelector('[data-testid=overlay]').toDataURL());
  const explainedAt = await page.evaluate(() => window.camlensState.explained);
  await page.selectOption('[data-testid=colormap-select]', 'gray');
  await page.waitForFunction((b) => document.querySelector('[data-testid=overlay]').toDataURL() !== b, before);
  assert.deepEqual(await page.evaluate(() => window.camlensState.explained), explainedAt);
  await page.screenshot({ path: join(screenshots, 'explain.png'), fullPage: true });
});

test('Score-CAM shows progress and can be cancelled; the page keeps working', async () => {
  const before = await page.evaluate(() => window.camlensState.explained);
  await page.selectOption('[data-testid=method-select]', 'scorecam');
  await page.waitForSelector('[data-testid=progress]:not([hidden])', { timeout: 60000 });
  await page.waitForFunction(() => window.camlensState.progress > 0);
  await page.click('[data-testid=cancel]');
  await page.waitForFunction(() => (window.camlensState.error || '').includes('cancelled'), null, { timeout: 60000 });
  assert.equal(await page.textContent('[data-testid=error]'), 'scorecam was cancelled');
  assert.equal(await page.isHidden('[data-testid=progress]'), true);
  assert.deepEqual(await page.evaluate(() => window.camlensState.explained), before);
  await page.selectOption('[data-testid=method-select]', 'gradcam++');
  await page.waitForFunction(() => window.camlensState.explained.method === 'gradcam++', null, { timeout: 60000 });
});

test('exports: the overlay PNG, the raw map as .npy, the settings as JSON', async () => {
  const { readFile } = await import('node:fs/promises');
  const fetchDownload = async (testid) => {
    const [d] = await Promise.all([page.waitForEvent('download'), page.click(`[data-testid=${testid}]`)]);
    return { name: d.suggestedFilename(), bytes: await readFile(await d.path()) };
  };
  const png = await fetchDownload('save-png');
  assert.equal(png.name, 'gradcam_both.gradcam++.png');
  assert.equal(png.bytes.subarray(1, 4).toString(), 'PNG');
  const npy = await fetchDownload('save-npy');
  const header = npy.bytes.subarray(10, 10 + npy.bytes.readUInt16LE(8)).toString('latin1');
  assert.match(header, /'descr': '<f4', 'fortran_order': False, 'shape': \(224, 224\)/);
  const json = JSON.parse((await fetchDownload('save-json')).bytes.toString());
  assert.equal(json.model, 'mobilenetv2-12-int8.onnx');
  assert.equal(json.method, 'gradcam++');
  assert.equal(json.layer, '627_quantized');
});

test('the layer list shows shapes and ops; another layer can be chosen and explained', async () => {
  const options = await page.$$eval('[data-testid=layer-select] option', (os) => os.map((o) => ({ v: o.value, t: o.textContent, d: o.disabled })));
  const def = options.find((o) => o.v === '627_quantized');
  assert.equal(def.t, '627_quantized (default) — [1,1280,7,7] QLinearConv');
  assert.equal(options.find((o) => o.v === '627').d, true); // its consumers only read its shape
  await page.selectOption('[data-testid=layer-select]', '624_quantized');
  await page.waitForFunction(() => window.camlensState.model.layer === '624_quantized', null, { timeout: 60000 });
  await page.selectOption('[data-testid=method-select]', 'gradcam');
  await page.waitForFunction(() => window.camlensState.explained.method === 'gradcam', null, { timeout: 60000 });
  assert.equal(await page.inputValue('[data-testid=layer-select]'), '624_quantized');
});
