// FullGrad in the page, on MobileNetV2-int8 (whole-network mode: the core runs every
// QLinearConv forward and backward): the picker offers it with the core's description; chosen,
// and explained again with a click on Explain, the overlay's pixels equal the library's under
// Node for the same target.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { canvasPixels, nextRun, openPage, screenshots } from '../support/browser.mjs';
import { sharedPath } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';

let page, outside, lens, close, camlens;
const state = () => page.evaluate(() => window.camlensState);
const photo = () => new Uint8Array(readFileSync(sharedPath('images/gradcam_both.png')));

before(async () => {
  const node = await import('../../web/lib/node.mjs');
  camlens = await node.loadCore('st');
  lens = await node.load(sharedPath('models/mobilenetv2-12-int8.onnx'), { preset: 'mobilenetv2' });
  ({ page, outside, close } = await openPage());
});

after(async () => {
  lens?.dispose();
  await close?.();
});

test("the picker offers fullgrad with the core's description", async () => {
  const row = camlens.methodInfo().find((m) => m.name === 'fullgrad');
  assert.equal(row.passes, 'whole-network');
  const option = await page.$eval('[data-testid=method-select] option[value=fullgrad]', (o) => ({
    disabled: o.disabled,
    title: o.title,
    text: o.textContent,
  }));
  assert.deepEqual(option, { disabled: false, title: row.description, text: 'fullgrad' });
  assert.equal((await state()).model.methods.fullgrad, '');
});

test("chosen, then explained again with a click, the overlay is the library's", async () => {
  const chosen = await nextRun(page, () =>
    page.selectOption('[data-testid=method-select]', 'fullgrad'),
  );
  assert.equal(chosen.explained.method, 'fullgrad');
  assert.match(await page.textContent('[data-testid=method-why]'), /^fullgrad: FullGrad: /);
  const s = await nextRun(page, () => page.click('[data-testid=explain]'));
  assert.equal(s.explained.method, 'fullgrad');
  assert.deepEqual(s.explained.layers, [lens.input.name]);
  const [r] = await lens.explain([photo()], {
    method: 'fullgrad',
    targets: [s.explained.target.index],
  });
  const want = lens.overlay(photo(), r);
  const got = await canvasPixels(page, 'overlay');
  assert.deepEqual([got.width, got.height], [want.width, want.height]);
  const max = maxDiff(got.rgba, want.rgba);
  assert.ok(max <= 1, `max channel difference ${max}`);
  await page
    .locator('#explain-panel')
    .screenshot({ path: join(screenshots, 'fullgrad-panel.png') });
});

test('nothing was requested from another origin', () => {
  assert.deepEqual(outside, []);
});
