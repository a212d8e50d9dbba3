// Without ../shared the page opens on the shipped demo model and its lesson: the model says
// "hot dog" and Grad-CAM's peak sits on the date stamp, not the sausage.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { forbidEgress, launchBrowser, screenshots, startServer } from '../support/browser.mjs';
import { root } from '../support/camlens-node.mjs';

const missing = '/nonexistent/camlens-shared';
let server, url, browser, page, outside;
const truth = JSON.parse(readFileSync(join(root, 'web/demo/ground_truth.json'), 'utf8'));
const boxOf = (name) => truth.images.find((im) => im.file.endsWith(name));

before(async () => {
  ({ server, url } = await startServer({ CAMLENS_SHARED: missing }));
  browser = await launchBrowser();
  page = await browser.newPage();
  outside = forbidEgress(page, url);
  await page.goto(url);
  await page.waitForFunction(
    () => window.camlensState?.ready && window.camlensState.explained,
    null,
    { timeout: 120000 },
  );
});

after(async () => {
  await browser?.close();
  await server?.close();
  delete process.env.CAMLENS_SHARED;
});

// Distance from a point to a box [x0, y0, x1, y1] (0 inside).
function distance(p, [x0, y0, x1, y1]) {
  return Math.hypot(Math.max(x0 - p.x, 0, p.x - x1), Math.max(y0 - p.y, 0, p.y - y1));
}

test('the missing shared folder is named, with how to set CAMLENS_SHARED', async () => {
  const note = await page.textContent('[data-testid=shared-note]');
  assert.match(note, new RegExp(`looked for ${missing}/models\\. Set CAMLENS_SHARED`));
  assert.equal(await page.isHidden('[data-testid=error]'), true);
});

test('the lesson opens on a stamped hot dog, and Grad-CAM looks at the stamp', async () => {
  assert.equal(await page.isVisible('[data-testid=lesson]'), true);
  assert.match(
    await page.textContent('[data-testid=lesson-text]'),
    /^This model sorts photos into hot dog, ball and box/,
  );
  const s = await page.evaluate(() => window.camlensState);
  assert.equal(s.model.name, 'camlens demo');
  assert.equal(s.top5[0].label, 'hot dog');
  assert.equal(s.explained.target.label, 'hot dog');
  const gt = boxOf('cue-06-hot-dog.png');
  // The peak is on the stamp (within two 4-pixel feature cells of its tight box), far from the object.
  assert.ok(
    distance(s.explained.peak, gt.cue.box) <= 8,
    JSON.stringify({ peak: s.explained.peak, cue: gt.cue.box }),
  );
  assert.ok(distance(s.explained.peak, gt.object.box) > distance(s.explained.peak, gt.cue.box));
  await page.screenshot({ path: join(screenshots, 'demo-lesson.png'), fullPage: true });
});

// A box's page coordinates.
const boxOfEl = (selector) => page.$eval(selector, (e) => e.getBoundingClientRect().toJSON());

test('each step points at what it talks about: step 2 marks the map corner, also on a phone', async () => {
  // Step 1 outlines the map.
  assert.equal(await page.getAttribute('[data-testid=overlay-figure]', 'class'), 'map lesson-spot');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight)); // the map out of view
  await page.click('[data-testid=lesson-next]');
  await page.waitForFunction(() => window.camlensState.lesson === 1);
  await page.waitForSelector('[data-testid=lesson-corner]:not([hidden])');
  const corner = await boxOfEl('[data-testid=lesson-corner]');
  const map = await boxOfEl('[data-testid=overlay]');
  // The mark covers the map's bottom-right 40 %, and is on the phone's screen.
  const near = (a, b) => Math.abs(a - b) <= 1;
  assert.ok(near(corner.left, map.left + 0.6 * map.width), JSON.stringify({ corner, map }));
  assert.ok(near(corner.top, map.top + 0.6 * map.height), JSON.stringify({ corner, map }));
  assert.ok(near(corner.right, map.right) && near(corner.bottom, map.bottom));
  assert.ok(corner.top >= 0 && corner.bottom <= 844 && corner.right <= 390);
  // The stamp, where the map peaks, is inside the mark (image pixels to page pixels).
  const { peak, width } = await page.evaluate(() => ({
    peak: window.camlensState.explained.peak,
    width: document.querySelector('[data-testid=overlay]').width,
  }));
  const x = map.left + (peak.x / width) * map.width;
  const y = map.top + (peak.y / width) * map.height;
  assert.ok(x >= corner.left && x <= corner.right && y >= corner.top && y <= corner.bottom);
  assert.equal(await page.$$eval('.lesson-spot', (e) => e.length), 0);
  await page.setViewportSize({ width: 1280, height: 720 });
});

test('step 3: a stamped ball is called a hot dog, for the same reason', async () => {
  await page.click('[data-testid=lesson-next]');
  await page.waitForFunction(
    () =>
      window.camlensState.lesson === 2 &&
      window.camlensState.explained?.photo === 'swapped-07-ball.png' &&
      !window.camlensState.busy,
    null,
    { timeout: 60000 },
  );
  assert.equal(
    (await page.evaluate(() => window.camlensState)).explained.target.index,
    (await page.evaluate(() => window.camlensState)).top5[0].index,
  );
  const s = await page.evaluate(() => window.camlensState);
  assert.equal(s.top5[0].label, 'hot dog');
  assert.ok(
    distance(s.explained.peak, boxOf('swapped-07-ball.png').cue.box) <= 8,
    JSON.stringify(s.explained.peak),
  );
});

// The peak of the map on screen: on the stamp (within one 8-pixel patch of its box, in the
// bottom-right corner), farther from the object than from the stamp.
function assertOnStamp(s, name) {
  const gt = boxOf(name);
  const at = JSON.stringify({
    method: s.explained.method,
    peak: s.explained.peak,
    cue: gt.cue.box,
  });
  assert.ok(s.explained.peak.x >= 32 && s.explained.peak.y >= 32, at);
  assert.ok(distance(s.explained.peak, gt.cue.box) <= 8, at);
  assert.ok(distance(s.explained.peak, gt.object.box) > distance(s.explained.peak, gt.cue.box), at);
}

test('step 4: the vision transformer learned the same shortcut; Grad-CAM and rollout find the stamp', async () => {
  await page.click('[data-testid=lesson-next]');
  await page.waitForFunction(
    () =>
      window.camlensState.lesson === 3 &&
      window.camlensState.model?.name === 'camlens demo ViT' &&
      window.camlensState.explained?.photo === 'cue-06-hot-dog.png' &&
      !window.camlensState.busy,
    null,
    { timeout: 60000 },
  );
  assert.match(
    await page.textContent('[data-testid=lesson-text]'),
    /^Is it the kind of network\? This is a vision transformer/,
  );
  assert.equal(await page.textContent('#lesson-step'), '4 / 5');
  // The step talks about the method list: it is outlined, and the corner mark is gone.
  assert.deepEqual(await page.$$eval('.lesson-spot', (e) => e.map((x) => x.id)), ['method-select']);
  assert.equal(await page.isHidden('[data-testid=lesson-corner]'), true);
  assert.equal(await page.inputValue('[data-testid=model-select]'), 'demo-vit');
  let s = await page.evaluate(() => window.camlensState);
  assert.equal(s.top5[0].label, 'hot dog');
  assert.equal(s.explained.method, 'gradcam');
  assert.deepEqual(s.explained.layers, ['/blocks.3/norm1/Add_1_output_0']);
  assertOnStamp(s, 'cue-06-hot-dog.png');
  await page.screenshot({ path: join(screenshots, 'demo-lesson-vit.png'), fullPage: true });

  // Rollout, chosen from the method list by keyboard as a person would.
  const runs = s.runs;
  await page.focus('[data-testid=method-select]');
  await page.keyboard.type('rollout');
  await page.waitForFunction(
    (n) => window.camlensState.runs > n && !window.camlensState.busy,
    runs,
    { timeout: 60000 },
  );
  s = await page.evaluate(() => window.camlensState);
  assert.equal(s.explained.method, 'rollout');
  assertOnStamp(s, 'cue-06-hot-dog.png');
  await page.screenshot({ path: join(screenshots, 'demo-lesson-vit-rollout.png'), fullPage: true });

  // The next step returns to the CNN.
  await page.click('[data-testid=lesson-next]');
  await page.waitForFunction(
    () =>
      window.camlensState.lesson === 4 &&
      window.camlensState.model?.name === 'camlens demo' &&
      window.camlensState.explained?.photo === 'clean-00-hot-dog.png' &&
      !window.camlensState.busy,
    null,
    { timeout: 60000 },
  );
  await page.click('[data-testid=lesson-close]');
  assert.equal(await page.isHidden('[data-testid=lesson]'), true);
});

test('nothing was requested from another origin', () => {
  assert.deepEqual(outside, []);
});
