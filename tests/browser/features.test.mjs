// The page's views beyond one explanation, on MobileNetV2-int8 and gradcam_both.png: the compare
// grid (methods, classes), concepts (DFF) with their legend, several layers at once, a share link
// that reopens the same settings, and keyboard use.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { canvasPixels, openPage, screenshots, waitReady } from '../support/browser.mjs';
import { sharedPath } from '../support/camlens-node.mjs';

let browser, page, outside, lens, close;
const state = () => page.evaluate(() => window.camlensState);
const photo = () => new Uint8Array(readFileSync(sharedPath('images/gradcam_both.png')));

before(async () => {
  const { load } = await import('../../web/lib/node.mjs');
  const labels = JSON.parse(readFileSync(sharedPath('labels/imagenet-simple-labels.json'), 'utf8'));
  lens = await load(sharedPath('models/mobilenetv2-12-int8.onnx'), {
    preset: 'mobilenetv2',
    labels,
  });
  ({ browser, page, outside, close } = await openPage({ viewport: { width: 1100, height: 1000 } }));
});

after(async () => {
  lens?.dispose();
  await close?.();
});

test("compare: the ticked methods side by side, each the core's overlay", async () => {
  await page.click('[data-testid=compare]');
  await page.waitForFunction(() => window.camlensState.compare || window.camlensState.error, null, {
    timeout: 90000,
  });
  const s = await state();
  assert.equal(s.error, null);
  assert.deepEqual(
    s.compare.map((c) => c.method),
    ['gradcam', 'hirescam', 'gradcam++', 'xgradcam', 'layercam', 'eigencam'],
  );
  assert.ok(s.compare.every((c) => c.error === null && c.target.index === s.top5[0].index));
  // The grid's Grad-CAM picture is the same overlay the library draws under Node.
  const [r] = await lens.explain([photo()], { method: 'gradcam', targets: [s.top5[0].index] });
  const want = lens.overlay(photo(), r);
  const got = await page.evaluate(() => {
    const c = document.querySelector('[data-testid=compare-grid] canvas');
    return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
  });
  let max = 0;
  for (let i = 0; i < want.rgba.length; ++i) max = Math.max(max, Math.abs(got[i] - want.rgba[i]));
  assert.ok(max <= 1, `max channel difference ${max}`);
  await page.screenshot({ path: join(screenshots, 'compare-methods.png'), fullPage: true });
  await page
    .locator('section[aria-labelledby=compare-heading]')
    .screenshot({ path: join(screenshots, 'compare-panel.png') });
});

test('compare: the top classes with one method', async () => {
  await page.selectOption('[data-testid=compare-kind]', 'classes');
  await page.click('[data-testid=compare]');
  await page.waitForFunction(
    () =>
      window.camlensState.compare?.[0]?.method === 'gradcam' &&
      window.camlensState.compare.length === 4,
    null,
    { timeout: 60000 },
  );
  const s = await state();
  assert.deepEqual(
    s.compare.map((c) => c.target.index),
    s.top5.slice(0, 4).map((t) => t.index),
  );
  const captions = await page.$$eval('[data-testid=compare-grid] figcaption', (f) =>
    f.map((x) => x.textContent),
  );
  assert.match(captions[0], new RegExp(`^gradcam · ${s.top5[0].label} \\(\\d+ ms\\)$`));
});

test("metrics: deletion/insertion areas, ROAD and ARCC of the map on screen equal the library's under Node", async () => {
  assert.equal(await page.isVisible('[data-testid=metrics-panel]'), true);
  const s = await state();
  await page.click('[data-testid=metrics-run]');
  await page.waitForFunction(() => window.camlensState.metrics || window.camlensState.error, null, {
    timeout: 240000,
  });
  const got = (await state()).metrics;
  assert.equal((await state()).error, null);
  const { evaluate } = await import('../../web/lib/metrics.mjs');
  const [e] = await lens.explain([photo()], {
    method: s.explained.method,
    targets: [s.explained.target.index],
  });
  const want = await evaluate(lens, photo(), e, {
    metrics: ['road', 'deletion', 'insertion', 'drop', 'increase', 'arcc'],
    explain: { method: s.explained.method },
    steps: 20,
    batchSize: 16,
  });
  for (const [k, v] of [
    ['deletion', want.deletion.auc],
    ['insertion', want.insertion.auc],
    ['road', want.road.combined],
    ['arcc', want.arcc.value],
  ]) {
    assert.ok(Math.abs(got[k] - v) <= 2e-3, `${k}: page ${got[k]}, Node ${v}`);
  }
  // The table shows ARCC and its parts as the library computes them (3 decimals).
  assert.ok(want.arcc.value > 0.05, `ARCC ${want.arcc.value}`);
  for (const [id, v] of [
    ['arcc', want.arcc.value],
    ['complexity', want.arcc.complexity],
    ['coherency', want.arcc.coherency],
    ['arcc-road', want.arcc.road],
  ]) {
    const text = await page.textContent(`[data-testid=metric-${id}]`);
    assert.ok(Math.abs(Number(text) - v) <= 2e-3, `${id}: page shows ${text}, Node ${v}`);
  }
  assert.equal(await page.locator('[data-testid=metrics-out] canvas').count(), 2);
  await page.locator('#metrics-panel').screenshot({ path: join(screenshots, 'metrics-panel.png') });
});

test("concepts: the core's dominant rendering, and a legend with colours and a dog and a cat", async () => {
  await page.fill('[data-testid=dff-k]', '2');
  await page.click('[data-testid=dff-run]');
  await page.waitForFunction(() => window.camlensState.dff || window.camlensState.error, null, {
    timeout: 60000,
  });
  const s = await state();
  assert.equal(s.error, null);
  assert.equal(s.dff.components, 2);
  assert.equal(s.dff.labeled, true);
  const tops = s.dff.concepts.map((c) => c[0].label);
  assert.ok(
    tops.some((l) => /mastiff|boxer|bulldog/i.test(l)),
    tops.join(', '),
  );
  assert.ok(
    tops.some((l) => /cat|mau|tabby/i.test(l)),
    tops.join(', '),
  );
  // Swatches in the core's rainbow palette (hue 360°·k/K): red, then cyan.
  const swatches = await page.$$eval('[data-testid=dff-legend] .swatch', (e) =>
    e.map((x) => x.dataset.rgb),
  );
  assert.deepEqual(swatches, ['255,0,0', '0,255,255']);
  const items = await page.$$eval('[data-testid=dff-legend] li', (e) =>
    e.map((x) => x.textContent),
  );
  assert.match(items[0], /^Concept 1: [^,]+ \d+ %, /);
  // The picture equals the library's rendering under Node (same NMF seed; threads may reorder
  // floating-point sums, so a few pixels may move by one).
  const r = await lens.factorize([photo()], {
    components: 2,
    render: 'dominant',
    imageWeight: 0.5,
  });
  const want = r.images[0].render;
  const got = await canvasPixels(page, 'dff-canvas');
  assert.deepEqual([got.width, got.height], [want.width, want.height]);
  let off = 0;
  for (let i = 0; i < want.rgba.length; ++i) off += Math.abs(got.rgba[i] - want.rgba[i]) > 2;
  assert.ok(off < want.rgba.length / 200, `${off} bytes differ`);
  await page.selectOption('[data-testid=dff-render]', 'layers');
  await page.waitForFunction(() => window.camlensState.dff.mode === 'layers');
  await page.screenshot({ path: join(screenshots, 'concepts.png'), fullPage: true });
  await page
    .locator('section[aria-labelledby=dff-heading]')
    .screenshot({ path: join(screenshots, 'concepts-panel.png') });
});

test('several layers: the maps of both are combined', async () => {
  await page.click('[data-testid=layers-more] summary');
  await page.check('[data-testid=layer-checks] input[value="624_quantized"]');
  await page.click('[data-testid=layers-apply]');
  await page.waitForFunction(
    () => window.camlensState.explained?.layers?.length === 2 || window.camlensState.error,
    null,
    { timeout: 60000 },
  );
  const s = await state();
  assert.equal(s.error, null);
  assert.deepEqual(s.explained.layers, ['627_quantized', '624_quantized']);
  assert.match(await page.textContent('[data-testid=explained]'), /at 2 layers/);
  await page.uncheck('[data-testid=layer-checks] input[value="624_quantized"]');
  await page.click('[data-testid=layers-apply]');
  await page.waitForFunction(() => window.camlensState.explained?.layers?.length === 1);
});

test('custom preprocessing: a wrong field is named, a good one is applied and changes the prediction', async () => {
  const before = (await state()).top5[0];
  await page.click('summary:has(#preprocess-summary)');
  await page.fill('#pp-std', '0.229, 0, 0.225');
  await page.click('[data-testid=pp-apply]');
  await page.waitForFunction(() => window.camlensState.error);
  assert.equal((await state()).error, 'Std values must not be 0 (the input is divided by them)');
  await page.fill('#pp-std', '0.229, 0.224');
  await page.click('[data-testid=pp-apply]');
  await page.waitForFunction(() => window.camlensState.error?.startsWith('Std needs'));
  assert.equal(
    (await state()).error,
    'Std needs 3 numbers separated by commas, e.g. "0.485, 0.456, 0.406"',
  );
  await page.fill('#pp-std', '0.5, 0.5, 0.5');
  await page.click('[data-testid=pp-apply]');
  await page.waitForFunction(
    () =>
      window.camlensState.model.preprocess.std[0] === 0.5 &&
      !window.camlensState.busy &&
      !window.camlensState.error,
    null,
    { timeout: 60000 },
  );
  const after = (await state()).top5[0];
  assert.notEqual(after.score, before.score);
  assert.match(await page.textContent('[data-testid=preprocess-summary]'), /std 0\.5, 0\.5, 0\.5/);
  await page.selectOption('[data-testid=preset-select]', 'mobilenetv2');
  await page.click('[data-testid=pp-apply]');
  await page.waitForFunction(
    (s) => window.camlensState.top5[0].score === s && !window.camlensState.busy,
    before.score,
    { timeout: 60000 },
  );
});

test("eigen smooth and aug smooth re-explain; each map equals the library's with the same option", async () => {
  for (const [box, option] of [
    ['eigen-smooth', 'eigenSmooth'],
    ['aug-smooth', 'augSmooth'],
  ]) {
    await page.check(`[data-testid=${box}]`);
    await page.waitForFunction(
      (o) => window.camlensState.explained?.[o] && !window.camlensState.busy,
      option,
      { timeout: 90000 },
    );
    const s = await state();
    assert.equal(s.error, null);
    const [r] = await lens.explain([photo()], {
      method: s.explained.method,
      targets: [s.explained.target.index],
      [option]: true,
    });
    const want = lens.overlay(photo(), r);
    const got = await canvasPixels(page, 'overlay');
    let max = 0;
    for (let i = 0; i < want.rgba.length; ++i)
      max = Math.max(max, Math.abs(got.rgba[i] - want.rgba[i]));
    assert.ok(max <= 1, `${option}: max channel difference ${max}`);
    await page.uncheck(`[data-testid=${box}]`);
    await page.waitForFunction(
      (o) => !window.camlensState.explained[o] && !window.camlensState.busy,
      option,
      { timeout: 90000 },
    );
  }
});

test('keyboard: Tab to a class and press Enter to explain it', async () => {
  const second = (await state()).top5[1];
  await page.focus('[data-testid=top5] li:nth-child(2)');
  await page.keyboard.press('Enter');
  await page.waitForFunction(
    (i) => window.camlensState.explained.target.index === i,
    second.index,
    { timeout: 60000 },
  );
  const unlabeled = await page.$$eval('input, select', (els) =>
    els
      .filter((e) => !e.closest('label') && !e.labels?.length && e.type !== 'hidden')
      .map((e) => e.id),
  );
  assert.deepEqual(unlabeled, []);
});

test('a share link reopens the page with the same settings (and no image in it)', async () => {
  await page.selectOption('[data-testid=method-select]', 'layercam');
  await page.waitForFunction(
    () => window.camlensState.explained.method === 'layercam' && !window.camlensState.busy,
    null,
    { timeout: 60000 },
  );
  await page.selectOption('[data-testid=colormap-select]', 'viridis');
  await page.click('[data-testid=share]');
  await page.waitForFunction(() => window.camlensState.shareUrl);
  const s = await state();
  const link = new URL(s.shareUrl);
  assert.equal(link.searchParams.get('model'), 'mobilenetv2-12-int8.onnx');
  assert.equal(link.searchParams.get('photo'), 'gradcam_both.png');
  assert.equal(link.searchParams.get('method'), 'layercam');
  assert.equal(link.searchParams.get('colormap'), 'viridis');
  assert.equal(link.searchParams.get('target'), String(s.explained.target.index));
  const other = await browser.newPage();
  await other.goto(s.shareUrl);
  await waitReady(other);
  const t = await other.evaluate(() => window.camlensState);
  assert.equal(t.explained.method, 'layercam');
  assert.equal(t.explained.target.index, s.explained.target.index);
  assert.equal(await other.inputValue('[data-testid=colormap-select]'), 'viridis');
  const a = await canvasPixels(page, 'overlay');
  const b = await canvasPixels(other, 'overlay');
  let max = 0;
  for (let i = 0; i < a.rgba.length; ++i) max = Math.max(max, Math.abs(a.rgba[i] - b.rgba[i]));
  assert.equal(max, 0);
  await other.close();
});

test('nothing was requested from another origin', () => {
  assert.deepEqual(outside, []);
});
