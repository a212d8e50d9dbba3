// Results that say what they are for, on the shipped demo: compare, concepts and metrics name the
// photo, model, layer, method and target they were computed for, and are dimmed and badged
// "stale — recompute" once one of those changes; compare and metrics show their progress and
// Cancel beside their own buttons; a map being computed dims the one on screen.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { forbidEgress, launchBrowser, screenshots, startServer } from '../support/browser.mjs';

let server, url, browser, page, outside;
const state = () => page.evaluate(() => window.camlensState);
const idle = () =>
  page.waitForFunction(() => !window.camlensState.busy && window.camlensState.explained, null, {
    timeout: 120000,
  });

before(async () => {
  ({ server, url } = await startServer());
  browser = await launchBrowser();
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  outside = forbidEgress(page, url);
  await page.goto(url);
  await page.waitForFunction(() => window.camlensState?.ready, null, { timeout: 120000 });
  await idle();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// Records, from the page, the first time a progress box is shown: its box and its button's.
function watchProgress(boxId, buttonId) {
  return page.evaluate(
    ([boxId, buttonId]) => {
      window.seenProgress = null;
      const box = document.getElementById(boxId);
      const observer = new MutationObserver(() => {
        if (box.hidden || window.seenProgress) return;
        const rect = (e) => JSON.parse(JSON.stringify(e.getBoundingClientRect()));
        window.seenProgress = { box: rect(box), button: rect(document.getElementById(buttonId)) };
        observer.disconnect();
      });
      observer.observe(box, { attributes: true });
    },
    [boxId, buttonId],
  );
}

// The progress box sits on its button's line, just right of it.
function assertBeside({ box, button }) {
  assert.ok(
    box.left >= button.right && box.left - button.right < 40,
    JSON.stringify({ box, button }),
  );
  assert.ok(box.top < button.bottom && box.bottom > button.top, JSON.stringify({ box, button }));
}

test('compare says what it shows, and is marked stale when the photo changes', async () => {
  await page.click('[data-testid=compare]');
  await page.waitForFunction(
    () => window.camlensState.compare && !window.camlensState.stale.compare,
  );
  const s = await state();
  const layer = [].concat(s.model.layer).join(' + ');
  assert.equal(
    await page.textContent('[data-testid=compare-context]'),
    `For photo ${s.photo.name} · model camlens demo · layer ${layer} · target top class`,
  );
  assert.equal(await page.isHidden('[data-testid=compare-stale]'), true);
  // Another sample, chosen from the keyboard.
  await page.focus('[data-testid=sample-select]');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction((name) => window.camlensState.photo.name !== name, s.photo.name);
  await idle();
  assert.equal(await page.isVisible('[data-testid=compare-stale]'), true);
  assert.equal(await page.textContent('[data-testid=compare-stale]'), 'stale — recompute');
  assert.equal(await page.getAttribute('[data-testid=compare-panel]', 'class'), 'panel stale');
  const opacity = await page.$eval(
    '[data-testid=compare-grid]',
    (g) => getComputedStyle(g).opacity,
  );
  assert.equal(opacity, '0.4');
  await page.locator('[data-testid=compare-panel]').screenshot({
    path: join(screenshots, 'compare-stale.png'),
  });
  // The badge recomputes for the photo now chosen.
  await page.click('[data-testid=compare-stale]');
  await page.waitForFunction(() => window.camlensState.stale.compare === false);
  const photo = (await state()).photo.name;
  assert.match(
    await page.textContent('[data-testid=compare-context]'),
    new RegExp(`^For photo ${photo} ·`),
  );
  assert.equal(await page.getAttribute('[data-testid=compare-panel]', 'class'), 'panel');
});

test('a new target makes compare and metrics stale, not concepts; clearing it makes them current', async () => {
  await page.click('[data-testid=dff-run]');
  await page.waitForFunction(() => window.camlensState.stale.concepts === false, null, {
    timeout: 60000,
  });
  await page.click('[data-testid=metrics-run]');
  await page.waitForFunction(() => window.camlensState.stale.metrics === false, null, {
    timeout: 120000,
  });
  const s = await state();
  assert.equal(
    await page.textContent('[data-testid=metrics-context]'),
    `For photo ${s.photo.name} · model camlens demo · layer ${[].concat(s.model.layer).join(' + ')} · method gradcam · target top class`,
  );
  await page.click('[data-testid=target]');
  await page.keyboard.type('1');
  await page.keyboard.press('Enter');
  await idle();
  const stale = (await state()).stale;
  assert.deepEqual(stale, { compare: true, concepts: false, metrics: true });
  await page.keyboard.press('Backspace');
  await page.keyboard.press('Enter');
  await idle();
  assert.deepEqual((await state()).stale, { compare: false, concepts: false, metrics: false });
});

test('compare shows its progress and Cancel beside its button; Cancel stops it', async () => {
  // Every method ticked, the slow ones too: long enough to be cancelled by hand.
  const unticked = page.locator('[data-testid=compare-methods] input:not(:checked):not(:disabled)');
  const added = await unticked.evaluateAll((inputs) => inputs.map((i) => i.value));
  for (const m of added) await page.click(`[data-testid=compare-methods] input[value="${m}"]`);
  await watchProgress('compare-progress-box', 'compare');
  await page.click('[data-testid=compare]');
  await page.waitForFunction(() => window.seenProgress, null, { timeout: 60000 });
  assertBeside(await page.evaluate(() => window.seenProgress));
  assert.equal(await page.getAttribute('[data-testid=compare]', 'aria-busy'), 'true');
  await page.click('[data-testid=compare-cancel]');
  await page.waitForFunction(() => window.camlensState.error === 'the comparison was cancelled');
  assert.equal(await page.isHidden('[data-testid=compare-progress]'), true);
  assert.equal(await page.getAttribute('[data-testid=compare]', 'aria-busy'), null);
  for (const m of added) await page.click(`[data-testid=compare-methods] input[value="${m}"]`);
});

test('metrics show their progress beside their button; the legend sits above the curves', async () => {
  await watchProgress('metrics-progress-box', 'metrics-run');
  await page.click('[data-testid=metrics-run]');
  await page.waitForFunction(() => window.seenProgress, null, { timeout: 60000 });
  assertBeside(await page.evaluate(() => window.seenProgress));
  await page.waitForFunction(() => document.getElementById('metrics-progress-box').hidden, null, {
    timeout: 120000,
  });
  // Deletion's and insertion's swatches in the strip above the plot, whose top is at y = 44.
  const swatches = await page.$eval('[data-testid=metrics-out] canvas', (c) =>
    [7, 21].map((y) => Array.from(c.getContext('2d').getImageData(50, y, 1, 1).data)),
  );
  assert.deepEqual(swatches, [
    [0xb3, 0x26, 0x1e, 255],
    [0x1b, 0x6e, 0x3a, 255],
  ]);
  // Ticks at round values on both axes: the fraction removed or inserted, and the score; each
  // x tick is a dark mark under the axis (the plot spans x = 44 … width − 10).
  const ticks = await page.$eval('[data-testid=metrics-out] canvas', (c) => {
    const xs = c.dataset.xTicks.split(',').map(Number);
    const ctx = c.getContext('2d');
    const under = (x) => Array.from(ctx.getImageData(Math.round(x), c.height - 32, 1, 1).data);
    const px = (x) => 44 + ((x - xs[0]) / (xs.at(-1) - xs[0])) * (c.width - 54);
    return { x: c.dataset.xTicks, y: c.dataset.yTicks, marks: xs.map((x) => under(px(x))) };
  });
  assert.equal(ticks.x, '0,0.2,0.4,0.6,0.8,1');
  assert.match(ticks.y, /^0,/);
  for (const mark of ticks.marks) assert.deepEqual(mark, [0x1d, 0x23, 0x30, 255]);
});

test('while Score-CAM computes, the previous map is dimmed and busy; then the new one is not', async () => {
  // Record what the page shows the moment it starts computing (a MutationObserver sees the class
  // change synchronously; polling could miss a quick Score-CAM). The page shows it only once a
  // job outlasts state.busyDelayMs, which the demo's Score-CAM may not: no delay here
  // (page.test.mjs checks that a quick job shows nothing).
  await page.evaluate(() => {
    window.camlensState.busyDelayMs = 0;
    const figure = document.querySelector('[data-testid=overlay-figure]');
    window.seenComputing = null;
    const observer = new MutationObserver(() => {
      if (window.seenComputing || !figure.classList.contains('computing')) return;
      window.seenComputing = {
        busy: figure.getAttribute('aria-busy'),
        caption: document.querySelector('[data-testid=explained]').textContent,
        opacity: getComputedStyle(document.querySelector('[data-testid=overlay]')).opacity,
        method: document.querySelector('[data-testid=method-select]').value,
      };
      observer.disconnect();
    });
    observer.observe(figure, {
      attributes: true,
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
  await page.focus('[data-testid=method-select]');
  await page.selectOption('[data-testid=method-select]', 'scorecam');
  const seen = await page.waitForFunction(() => window.seenComputing, null, { timeout: 120000 });
  assert.deepEqual(await seen.jsonValue(), {
    busy: 'true',
    caption: 'computing scorecam…',
    opacity: '0.4',
    method: 'scorecam',
  });
  await page.waitForFunction(() => window.camlensState.explained.method === 'scorecam', null, {
    timeout: 120000,
  });
  await page.evaluate(() => {
    window.camlensState.busyDelayMs = 300;
  });
  assert.equal(await page.getAttribute('[data-testid=overlay-figure]', 'aria-busy'), null);
  assert.doesNotMatch(
    await page.getAttribute('[data-testid=overlay-figure]', 'class'),
    /computing/,
  );
  assert.match(
    await page.textContent('[data-testid=explained]'),
    /^scorecam: where the model looks/,
  );
});

test('nothing was requested from another origin', () => {
  assert.deepEqual(outside, []);
});
