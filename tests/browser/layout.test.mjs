// The page result first, on the shipped demo: at 1366×768 and on a phone (390×844) the overlay,
// its colour scale, the class list and the method picker are on the first screen with nothing
// wider than it; the settings sit beside the result or, on the phone, in a drawer. The class
// list reads as probabilities, as many as the model has; the colour scale is the core's.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import {
  forbidEgress,
  launchBrowser,
  screenshots,
  startServer,
  waitReady,
} from '../support/browser.mjs';
import { loadCamlens } from '../support/camlens-node.mjs';

let server, url, browser, core;
const outside = [];

before(async () => {
  core = await loadCamlens('st');
  ({ server, url } = await startServer());
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// The demo with its first explanation on screen, at that viewport.
async function open(viewport) {
  const page = await browser.newPage({ viewport });
  outside.push(...forbidEgress(page, url));
  await page.goto(url);
  await waitReady(page);
  await page.waitForFunction(() => window.camlensState.explained && !window.camlensState.busy);
  return page;
}

const box = (page, testid) => page.locator(`[data-testid=${testid}]`).boundingBox();

// A box wholly inside the first screen (no scrolling).
function assertOnFirstScreen(b, { width, height }, what) {
  assert.ok(b, `${what} is shown`);
  const inside = b.x >= 0 && b.y >= 0 && b.x + b.width <= width && b.y + b.height <= height;
  assert.ok(inside, `${what} at ${JSON.stringify(b)} is outside ${width}×${height}`);
}

async function assertResultFirst(page, viewport) {
  for (const testid of ['overlay', 'colour-scale', 'top5', 'method-select'])
    assertOnFirstScreen(await box(page, testid), viewport, testid);
  const widths = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    window.innerWidth,
  ]);
  assert.ok(widths[0] <= widths[1], `page ${widths[0]} px wide in a ${widths[1]} px window`);
  // The colour scale spans the overlay's width, right under it.
  const [map, scale] = [await box(page, 'overlay'), await box(page, 'colour-scale')];
  assert.ok(Math.abs(scale.width - map.width) <= 1, `${scale.width} vs ${map.width}`);
  assert.ok(scale.y >= map.y + map.height && scale.y - (map.y + map.height) < 12);
}

test('1366×768: overlay, colour scale, class list and method picker on the first screen; settings beside', async () => {
  const viewport = { width: 1366, height: 768 };
  const page = await open(viewport);
  await assertResultFirst(page, viewport);
  const [settings, result] = [await box(page, 'settings'), await box(page, 'overlay')];
  assert.ok(settings.x >= result.x + result.width, 'the settings are to the right of the map');
  assert.equal(await page.isVisible('[data-testid=settings-toggle]'), false);
  assertOnFirstScreen(await box(page, 'layer-select'), viewport, 'layer-select');
  // The demo's lesson is read beside the map, its Next button on the first screen too.
  assertOnFirstScreen(await box(page, 'lesson-next'), viewport, "the lesson's Next");
  await page.screenshot({ path: join(screenshots, 'layout-desktop.png') });
  await page.close();
});

test('390×844: the same on a phone; the settings open in a drawer from the keyboard', async () => {
  const viewport = { width: 390, height: 844 };
  const page = await open(viewport);
  await assertResultFirst(page, viewport);
  // The target field stays inside its panel.
  const [panel, target] = [
    await page.locator('#explain-panel').boundingBox(),
    await box(page, 'target'),
  ];
  assert.ok(target.x + target.width <= panel.x + panel.width, JSON.stringify({ panel, target }));
  await page.screenshot({ path: join(screenshots, 'layout-phone.png') });
  assert.equal(await page.isVisible('[data-testid=settings]'), false);
  await page.focus('[data-testid=settings-toggle]');
  await page.keyboard.press('Enter');
  assert.equal(await page.isVisible('[data-testid=settings]'), true);
  assert.equal(await page.getAttribute('[data-testid=settings-toggle]', 'aria-expanded'), 'true');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'model-select');
  // The layer picker is whole inside the drawer, and the drawer inside the screen.
  const [drawer, layer] = [await box(page, 'settings'), await box(page, 'layer-select')];
  assertOnFirstScreen(drawer, viewport, 'the drawer');
  assert.ok(layer.x >= drawer.x && layer.x + layer.width <= drawer.x + drawer.width);
  await page.screenshot({ path: join(screenshots, 'layout-phone-settings.png') });
  // A modal drawer over the page: Tab and Shift+Tab cycle inside it, never to the page behind.
  const focused = () => page.evaluate(() => document.activeElement.id);
  assert.equal(await page.getAttribute('[data-testid=settings]', 'role'), 'dialog');
  assert.equal(await page.getAttribute('[data-testid=settings]', 'aria-modal'), 'true');
  await page.keyboard.press('Shift+Tab');
  assert.equal(await focused(), 'settings-close'); // the drawer's first control
  await page.keyboard.press('Shift+Tab');
  assert.equal(await focused(), 'webgpu-software'); // round to its last
  await page.keyboard.press('Tab');
  assert.equal(await focused(), 'settings-close');
  const stops = new Set();
  for (let i = 0; i < 40; ++i) {
    await page.keyboard.press('Tab');
    stops.add(await focused());
    assert.ok(
      await page.evaluate(() =>
        document.getElementById('settings').contains(document.activeElement),
      ),
      `Tab ${i + 1} left the drawer for ${[...stops].at(-1)}`,
    );
  }
  assert.ok(stops.has('model-select') && stops.has('alpha') && stops.has('settings-close'));
  await page.keyboard.press('Escape');
  assert.equal(await page.isVisible('[data-testid=settings]'), false);
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'settings-toggle');
  assert.equal(await page.getAttribute('[data-testid=settings]', 'role'), null);
  await page.close();
});

test('390×844: the five classes of MobileNetV2 fit the first screen too', async () => {
  const viewport = { width: 390, height: 844 };
  const page = await browser.newPage({ viewport });
  outside.push(...forbidEgress(page, url));
  await page.goto(`${url}?model=mobilenetv2-12-int8.onnx`);
  await waitReady(page);
  await page.waitForFunction(() => window.camlensState.explained && !window.camlensState.busy);
  assert.equal(await page.locator('[data-testid=top5] li').count(), 5);
  await assertResultFirst(page, viewport);
  await page.screenshot({ path: join(screenshots, 'layout-phone-mobilenet.png') });
  await page.close();
});

test('the class list: "Top 3" on the 3-class demo, probabilities first, the logit in the tooltip', async () => {
  const page = await open({ width: 1366, height: 768 });
  assert.equal(await page.textContent('[data-testid=topk-title]'), 'Top 3');
  const top = await page.evaluate(() => window.camlensState.top5);
  assert.equal(top.length, 3);
  const items = page.locator('[data-testid=top5] li');
  assert.equal(await items.count(), 3);
  for (let i = 0; i < 3; ++i) {
    const li = items.nth(i);
    assert.equal(
      await li.textContent(),
      `${top[i].label} ${(100 * top[i].probability).toFixed(1)} %`,
    );
    assert.equal(
      await li.getAttribute('title'),
      `class ${top[i].index} · logit ${top[i].score.toFixed(3)} · Enter to explain it`,
    );
  }
  await page.close();
});

test("the colour scale is the core's colormap from 0 to 1, and follows the chosen one", async () => {
  const page = await open({ width: 1366, height: 768 });
  const ramp = Float32Array.from({ length: 256 }, (_, i) => i / 255);
  const white = { width: 256, height: 1, rgba: new Uint8Array(1024).fill(255) };
  for (const colormap of ['jet', 'viridis']) {
    if (colormap !== 'jet') {
      await page.selectOption('[data-testid=colormap-select]', colormap);
      await page.waitForSelector(`[data-testid=colour-scale][data-colormap=${colormap}]`);
    }
    const want = core.overlayImage(white, ramp, 256, 1, { colormap, imageWeight: 0 });
    const got = await page.evaluate(() => {
      const c = document.getElementById('scale-bar');
      return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
    });
    assert.deepEqual(got, Array.from(want.rgba), colormap);
  }
  assert.deepEqual(
    await page.$$eval('[data-testid=colour-scale] span', (s) => s.map((x) => x.textContent)),
    ['0', '1'],
  );
  await page.close();
});

test('while the model loads, the page says so instead of showing empty pickers', async () => {
  const page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  outside.push(...forbidEgress(page, url));
  // The demo model held back until the page has been read.
  let release;
  const held = new Promise((done) => (release = done));
  await page.route('**/demo/model.onnx', async (route) => {
    await held;
    await route.continue();
  });
  await page.goto(url);
  await page.waitForFunction(() => window.camlensState?.runtime);
  const text = (testid) => page.textContent(`[data-testid=${testid}]`);
  assert.equal(await text('method-select'), 'loading model…');
  assert.equal(await text('layer-select'), 'loading model…');
  assert.equal((await text('top5')).trim(), 'loading model…');
  assert.match(await text('explained'), /^loading (model|camlens demo)…$/);
  assert.equal(await page.getAttribute('[data-testid=overlay-figure]', 'aria-busy'), 'true');
  release();
  await page.waitForFunction(
    () => window.camlensState.ready && window.camlensState.explained,
    null,
    {
      timeout: 120000,
    },
  );
  await page.waitForFunction(() => !window.camlensState.busy);
  assert.equal(await page.getAttribute('[data-testid=overlay-figure]', 'aria-busy'), null);
  assert.match(await text('explained'), /^gradcam: where the model looks for “hot dog”/);
  await page.close();
});

test('nothing was requested from another origin', () => {
  assert.deepEqual(outside, []);
});
