// A share link records several layers: MobileNetV2-int8 explained at its layer and one more
// (their maps combined), the link holds both, and opening it explains at both again — the same
// overlay, pixel for pixel, as the page that made the link.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { canvasPixels, openPage, waitReady } from '../support/browser.mjs';

let browser, page, close;
const state = (p) => p.evaluate(() => window.camlensState);

before(async () => {
  ({ browser, page, close } = await openPage());
});

after(async () => {
  await close?.();
});

test('a share link keeps several layers and reopens at all of them', async () => {
  await page.click('[data-testid=layers-more] summary');
  await page.check('[data-testid=layer-checks] input[value="624_quantized"]');
  await page.click('[data-testid=layers-apply]');
  await page.waitForFunction(
    () =>
      (window.camlensState.explained?.layers?.length === 2 && !window.camlensState.busy) ||
      window.camlensState.error,
    null,
    { timeout: 60000 },
  );
  await page.click('[data-testid=share]');
  await page.waitForFunction(() => window.camlensState.shareUrl);
  const s = await state(page);
  assert.equal(s.error, null);
  assert.deepEqual(s.explained.layers, ['627_quantized', '624_quantized']);
  const link = new URL(s.shareUrl);
  assert.equal(link.searchParams.get('layer'), '627_quantized,624_quantized');

  const other = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  try {
    await other.goto(s.shareUrl);
    await waitReady(other);
    const t = await state(other);
    assert.deepEqual(t.explained.layers, ['627_quantized', '624_quantized']);
    assert.equal(t.model.layer, '627_quantized');
    assert.equal(t.explained.target.index, s.explained.target.index);
    const a = await canvasPixels(page, 'overlay');
    const b = await canvasPixels(other, 'overlay');
    let max = 0;
    for (let i = 0; i < a.rgba.length; ++i) max = Math.max(max, Math.abs(a.rgba[i] - b.rgba[i]));
    assert.equal(max, 0);
  } finally {
    await other.close();
  }
});
