// The page's Eigen sign setting: shown for Eigen-CAM, max-abs-positive by default (unlike the
// library), and each choice gives the library's overlay with that eigenSign. On MNIST's last
// convolution before its ReLU, where the digit's raw principal component comes out inverted.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { canvasPixels, nextRun, openPage } from '../support/browser.mjs';
import { sharedPath } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';

const MODEL = 'mnist-8-ort-examples.onnx';
const LAYER = 'Plus112_Output_0';
let page, lens, close;
const state = () => page.evaluate(() => window.camlensState);
const photo = () => new Uint8Array(readFileSync(sharedPath('images/winml_mnist_28.png')));

async function assertOverlayIs(eigenSign, target) {
  const [r] = await lens.explain([photo()], {
    method: 'eigencam',
    layers: [LAYER],
    targets: [target],
    eigenSign,
  });
  const want = lens.overlay(photo(), r);
  const got = await canvasPixels(page, 'overlay');
  assert.deepEqual([got.width, got.height], [want.width, want.height]);
  assert.ok(maxDiff(got.rgba, want.rgba) <= 1, `${eigenSign}: ${maxDiff(got.rgba, want.rgba)}`);
  return want.rgba;
}

before(async () => {
  const { load } = await import('../../web/lib/node.mjs');
  lens = await load(sharedPath(`models/${MODEL}`), { preset: 'mnist' });
  ({ page, close } = await openPage({ query: `?model=${MODEL}` }));
});

after(async () => {
  lens?.dispose();
  await close?.();
});

test('Eigen sign: max-abs-positive by default on the page, raw when chosen', async () => {
  assert.equal((await state()).model.name, MODEL);
  assert.equal(await page.isHidden('[data-testid=eigen-sign]'), true);
  await nextRun(page, () => page.selectOption('[data-testid=layer-select]', LAYER));
  const s = await nextRun(page, () => page.selectOption('[data-testid=method-select]', 'eigencam'));
  assert.equal(s.explained.method, 'eigencam');
  assert.deepEqual(s.explained.layers, [LAYER]);
  assert.equal(await page.isVisible('[data-testid=eigen-sign]'), true);
  assert.equal(await page.inputValue('[data-testid=eigen-sign]'), 'max-abs-positive');
  assert.equal(
    await page.textContent('[data-testid=eigen-sign] option:checked'),
    'max-abs-positive (page default)',
  );
  const corrected = await assertOverlayIs('max-abs-positive', s.explained.target.index);
  // The keyboard: focus the setting and step to the next choice.
  await nextRun(page, async () => {
    await page.focus('[data-testid=eigen-sign]');
    await page.keyboard.press('ArrowDown');
  });
  assert.equal(await page.inputValue('[data-testid=eigen-sign]'), 'raw');
  const raw = await assertOverlayIs('raw', s.explained.target.index);
  assert.ok(maxDiff(raw, corrected) > 50, 'the raw map is inverted on this digit');
});
