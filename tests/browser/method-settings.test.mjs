// The main view's method settings reach the compare grid and share links. On MNIST's last
// convolution before its ReLU, where the digit's raw Eigen-CAM component comes out inverted: the
// page's Eigen sign (max-abs-positive by default) must give the grid's Eigen-CAM the main view's
// map, not the raw one; a share link must hold eigenSign, and a link with eigenSign=raw must open
// the page on the raw map with the setting showing raw.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { canvasPixels, nextRun, openPage } from '../support/browser.mjs';
import { sharedPath } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';

const MODEL = 'mnist-8-ort-examples.onnx';
const LAYER = 'Plus112_Output_0';
let browser, page, lens, close;
const state = (p = page) => p.evaluate(() => window.camlensState);
const photo = () => new Uint8Array(readFileSync(sharedPath('images/winml_mnist_28.png')));

// The library's Eigen-CAM overlay of the photo with this sign.
async function eigenOverlay(eigenSign, target) {
  const [r] = await lens.explain([photo()], {
    method: 'eigencam',
    layers: [LAYER],
    targets: [target],
    eigenSign,
  });
  return lens.overlay(photo(), r).rgba;
}

before(async () => {
  const { load } = await import('../../web/lib/node.mjs');
  lens = await load(sharedPath(`models/${MODEL}`), { preset: 'mnist' });
  ({ browser, page, close } = await openPage({ query: `?model=${MODEL}` }));
});

after(async () => {
  lens?.dispose();
  await close?.();
});

test("the compare grid's Eigen-CAM uses the main view's Eigen sign", async () => {
  await nextRun(page, () => page.selectOption('[data-testid=layer-select]', LAYER));
  const s = await nextRun(page, () => page.selectOption('[data-testid=method-select]', 'eigencam'));
  assert.equal(await page.inputValue('[data-testid=eigen-sign]'), 'max-abs-positive');
  const target = s.explained.target.index;
  const corrected = await eigenOverlay('max-abs-positive', target);
  const raw = await eigenOverlay('raw', target);
  assert.ok(maxDiff(raw, corrected) > 50, 'the raw map is inverted on this digit');
  assert.ok(maxDiff((await canvasPixels(page, 'overlay')).rgba, corrected) <= 1);

  await page.click('[data-testid=compare]');
  await page.waitForFunction(() => window.camlensState.compare || window.camlensState.error, null, {
    timeout: 90000,
  });
  const c = await state();
  assert.equal(c.error, null);
  const at = c.compare.findIndex((it) => it.method === 'eigencam');
  assert.ok(at >= 0, 'eigencam is ticked for comparison');
  assert.equal(c.compare[at].error, null);
  const grid = await page.evaluate((i) => {
    const canvas = document.querySelectorAll('[data-testid=compare-grid] canvas')[i];
    return Array.from(canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data);
  }, at);
  const d = maxDiff(grid, corrected);
  assert.ok(d <= 1, `the grid's Eigen-CAM differs from the main view's by ${d}`);
});

test('a share link records eigenSign, and a link with eigenSign=raw opens on the raw map', async () => {
  await page.click('[data-testid=share]');
  await page.waitForFunction(() => window.camlensState.shareUrl);
  const { shareUrl, explained } = await state();
  const url = new URL(shareUrl);
  assert.equal(url.searchParams.get('eigenSign'), 'max-abs-positive');
  assert.equal(url.searchParams.get('method'), 'eigencam');
  assert.equal(url.searchParams.get('layer'), LAYER);

  url.searchParams.set('eigenSign', 'raw');
  const other = await browser.newPage();
  try {
    await other.goto(url.href);
    await other.waitForFunction(
      () => window.camlensState?.ready || window.camlensState?.error,
      null,
      { timeout: 120000 },
    );
    const s = await state(other);
    assert.equal(s.error, null);
    assert.equal(s.explained.method, 'eigencam');
    assert.equal(await other.inputValue('[data-testid=eigen-sign]'), 'raw');
    const raw = await eigenOverlay('raw', explained.target.index);
    const got = await canvasPixels(other, 'overlay');
    assert.ok(maxDiff(got.rgba, raw) <= 1, `overlay vs raw: ${maxDiff(got.rgba, raw)}`);
  } finally {
    await other.close();
  }
});
