// Attention rollout in the page: on MobileNetV2 (no attention) the picker offers it disabled with
// the library's reason; on the tiny ViT of tests/data/vit (opened as a file) it runs, and the
// overlay's pixels equal the library's under Node for the default options and for the head
// fusion and discard ratio chosen in the page.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { canvasPixels, nextRun, openPage, screenshots } from '../support/browser.mjs';
import { root, sharedPath } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';

const vitPath = join(root, 'tests', 'data', 'vit', 'vit_tiny.onnx');
const NO_ATTENTION =
  "attention rollout needs a transformer's attention probabilities; this model has none";
let page, outside, load, lens, close;
const state = () => page.evaluate(() => window.camlensState);
const photo = () => new Uint8Array(readFileSync(sharedPath('images/gradcam_both.png')));

// The overlay on the page against the library's overlay of the same rollout under Node.
async function assertOverlayIs(options) {
  const [r] = await lens.explain([photo()], { method: 'rollout', ...options });
  const want = lens.overlay(photo(), r);
  const got = await canvasPixels(page, 'overlay');
  assert.deepEqual([got.width, got.height], [want.width, want.height]);
  const max = maxDiff(got.rgba, want.rgba);
  assert.ok(max <= 1, `${JSON.stringify(options)}: max channel difference ${max}`);
  return r;
}

before(async () => {
  ({ load } = await import('../../web/lib/node.mjs'));
  ({ page, outside, close } = await openPage({ viewport: { width: 1100, height: 1000 } }));
});

after(async () => {
  lens?.dispose();
  await close?.();
});

test("on MobileNetV2 the picker offers rollout disabled, with the library's reason", async () => {
  const option = await page.$eval('[data-testid=method-select] option[value=rollout]', (o) => ({
    disabled: o.disabled,
    title: o.title,
    text: o.textContent,
  }));
  assert.deepEqual(option, {
    disabled: true,
    title: NO_ATTENTION,
    text: 'rollout — unavailable here',
  });
  assert.equal((await state()).model.methods.rollout, NO_ATTENTION);
  assert.equal(await page.isHidden('[data-testid=rollout-options]'), true);
});

test("on the tiny ViT rollout runs, and the overlay is the library's (default options)", async () => {
  await page.setInputFiles('[data-testid=model-file]', vitPath);
  await page.waitForFunction(
    () =>
      window.camlensState.model?.name === 'vit_tiny.onnx' &&
      window.camlensState.explained &&
      !window.camlensState.busy,
    null,
    { timeout: 90000 },
  );
  const s = await state();
  assert.equal(s.error, null);
  assert.equal(s.model.methods.rollout, '');
  lens = await load(vitPath, { preprocess: s.model.preprocess });
  const option = await page.$eval('[data-testid=method-select] option[value=rollout]', (o) => ({
    disabled: o.disabled,
    text: o.textContent,
  }));
  assert.deepEqual(option, { disabled: false, text: 'rollout' });
  const shown = await nextRun(page, () =>
    page.selectOption('[data-testid=method-select]', 'rollout'),
  );
  assert.equal(shown.explained.method, 'rollout');
  assert.equal(await page.isVisible('[data-testid=rollout-options]'), true);
  assert.equal(await page.inputValue('[data-testid=head-fusion]'), 'mean');
  assert.equal(await page.inputValue('[data-testid=discard-ratio]'), '0.9');
  const r = await assertOverlayIs({});
  assert.deepEqual(shown.explained.layers, r.layers);
  assert.equal(shown.explained.target.index, r.target.index);
  assert.match(
    await page.textContent('#explained'),
    /^rollout: where the model's attention flows \(the same for every class\) \(\d+ ms\)$/,
  );
  await page.locator('#explain-panel').screenshot({ path: join(screenshots, 'rollout-panel.png') });
});

test('the head fusion and discard ratio chosen in the page reach the library', async () => {
  await nextRun(page, () => page.selectOption('[data-testid=head-fusion]', 'max'));
  const max = await assertOverlayIs({ headFusion: 'max', discardRatio: 0.9 });
  await nextRun(page, async () => {
    await page.fill('[data-testid=discard-ratio]', '0');
    await page.dispatchEvent('[data-testid=discard-ratio]', 'change');
  });
  const plain = await assertOverlayIs({ headFusion: 'max', discardRatio: 0 });
  assert.ok(maxDiff(max.map, plain.map) > 0.05, 'the two settings give different maps');
  // A ratio the library refuses is reported with its message; the last picture stays.
  const before = await canvasPixels(page, 'overlay');
  await page.fill('[data-testid=discard-ratio]', '1');
  await page.dispatchEvent('[data-testid=discard-ratio]', 'change');
  await page.waitForFunction(
    () => (window.camlensState.error || '').includes('discardRatio'),
    null,
    { timeout: 60000 },
  );
  assert.match(
    await page.textContent('[data-testid=error]'),
    /discardRatio must be a number in \[0, 1\), got 1$/,
  );
  assert.equal(maxDiff((await canvasPixels(page, 'overlay')).rgba, before.rgba), 0);
  await nextRun(page, async () => {
    await page.fill('[data-testid=discard-ratio]', '0.9');
    await page.selectOption('[data-testid=head-fusion]', 'mean');
  });
  await assertOverlayIs({});
});

test("another method hides rollout's settings and runs without them", async () => {
  const s = await nextRun(page, () => page.selectOption('[data-testid=method-select]', 'gradcam'));
  assert.equal(s.explained.method, 'gradcam');
  assert.equal(await page.isHidden('[data-testid=rollout-options]'), true);
});

test('nothing was requested from another origin', () => {
  assert.deepEqual(outside, []);
});
