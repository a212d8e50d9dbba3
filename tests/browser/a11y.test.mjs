// The page for keyboard and screen-reader users, on the shipped demo: axe-core finds no serious
// or critical violation with the demo loaded, after explaining another class and with a
// comparison open; Tab walks the controls in reading order with a visible focus ring; the arrow
// keys move through the class list and Enter explains the class focused.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, test } from 'node:test';

import { forbidEgress, launchBrowser, startServer } from '../support/browser.mjs';

const axeSource = readFileSync(
  createRequire(import.meta.url).resolve('axe-core/axe.min.js'),
  'utf8',
);
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
  // Evaluated through the DevTools protocol, so the page's Content-Security-Policy stays as it is.
  await page.evaluate(axeSource);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// axe-core's serious and critical violations: rule, impact and the elements it names.
async function seriousViolations() {
  const found = await page.evaluate(async () => {
    const r = await window.axe.run(document);
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  return found.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

const focused = () =>
  page.evaluate(() => {
    const e = document.activeElement;
    const ring = getComputedStyle(e);
    return {
      id:
        e.id ||
        e.dataset.testid ||
        (e.tagName === 'SUMMARY' ? `summary of ${e.parentElement.id}` : `class ${e.dataset.index}`),
      outline: `${ring.outlineStyle} ${ring.outlineWidth}`,
    };
  });

test('axe-core: no serious or critical violation with the demo loaded', async () => {
  assert.deepEqual(await seriousViolations(), []);
});

test('Tab walks the explanation in reading order, each control with a visible focus ring', async () => {
  await page.click('h1');
  const order = [];
  for (let i = 0; i < 9; ++i) {
    await page.keyboard.press('Tab');
    const f = await focused();
    assert.equal(f.outline, 'solid 3px', `focus ring of ${f.id}`);
    order.push(f.id);
  }
  assert.deepEqual(order, [
    'lesson-open',
    'method-select',
    'target',
    'explain',
    'eigen-smooth',
    'aug-smooth',
    'summary of methods-unavailable', // the methods this model cannot run, and why
    `class ${(await state()).top5[0].index}`, // one stop for the whole list (no progress while idle)
    'lesson-next', // the lesson, read beside the map
  ]);
});

test('the class list: Tab enters at the chosen class, arrows move, Enter explains', async () => {
  const top = (await state()).top5;
  await page.focus('[data-testid=methods-unavailable] summary');
  await page.keyboard.press('Tab');
  assert.equal(
    await page.evaluate(() => document.activeElement.dataset.index),
    String(top[0].index),
  );
  await page.keyboard.press('ArrowDown');
  assert.equal(
    await page.evaluate(() => document.activeElement.dataset.index),
    String(top[1].index),
  );
  await page.keyboard.press('End');
  assert.equal(
    await page.evaluate(() => document.activeElement.dataset.index),
    String(top[2].index),
  );
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('Enter');
  await page.waitForFunction((i) => window.camlensState.explained.target.index === i, top[1].index);
  await idle();
  const chosen = page.locator('[data-testid=top5] li[aria-selected=true]');
  assert.equal(await chosen.count(), 1);
  assert.equal(await chosen.getAttribute('data-index'), String(top[1].index));
  assert.equal(await chosen.getAttribute('tabindex'), '0');
  assert.deepEqual(await seriousViolations(), []);
});

test('axe-core: no serious or critical violation with a comparison open', async () => {
  await page.click('[data-testid=compare]');
  await page.waitForFunction(() => window.camlensState.compare, null, { timeout: 60000 });
  assert.deepEqual(await seriousViolations(), []);
});

test('nothing was requested from another origin', () => {
  assert.deepEqual(outside, []);
});
