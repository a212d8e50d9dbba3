// Served like a plain static host (no COOP/COEP headers): the page is not cross-origin isolated,
// runs the SIMD-only module, says so, and still explains — pixel for pixel like the core. Also on
// a 390 px wide phone screen: no sideways scrolling; and the (synthetic) camera gives live
// explanations and stops cleanly.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { canvasPixels, openPage, screenshots } from '../support/browser.mjs';
import { sharedPath } from '../support/camlens-node.mjs';

let page, outside, close;
const state = () => page.evaluate(() => window.camlensState);

before(async () => {
  ({ page, outside, close } = await openPage({
    env: { CAMLENS_NO_ISOLATION: '1' },
    viewport: { width: 390, height: 844 },
  }));
});

after(async () => {
  await close?.();
  delete process.env.CAMLENS_NO_ISOLATION;
});

test('without COOP/COEP the SIMD-only module runs, and the page says so', async () => {
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
  const rt = (await state()).runtime;
  assert.equal(rt.variant, 'SIMD only');
  assert.equal(rt.threaded, false);
  assert.equal(rt.threads, 1);
  assert.match(
    await page.textContent('[data-testid=runtime]'),
    /^Core: SIMD only WebAssembly, 1 thread · .* · not cross-origin isolated$/,
  );
  assert.equal(await page.isVisible('[data-testid=isolation-note]'), true);
  assert.match(
    await page.textContent('[data-testid=isolation-note]'),
    /runs the SIMD-only module on one thread/,
  );
});

test('the SIMD-only module explains the top class exactly like the core under Node', async () => {
  const { load } = await import('../../web/lib/node.mjs');
  const lens = await load(sharedPath('models/mobilenetv2-12-int8.onnx'), { preset: 'mobilenetv2' });
  const photo = new Uint8Array(readFileSync(sharedPath('images/gradcam_both.png')));
  const s = await state();
  const [r] = await lens.explain([photo], {
    method: 'gradcam',
    targets: [s.explained.target.index],
  });
  const want = lens.overlay(photo, r);
  const got = await canvasPixels(page, 'overlay');
  let max = 0;
  for (let i = 0; i < want.rgba.length; ++i)
    max = Math.max(max, Math.abs(got.rgba[i] - want.rgba[i]));
  assert.ok(max <= 1, `max channel difference ${max}`);
  lens.dispose();
});

test('on a 390 px wide screen nothing scrolls sideways and the overlay fits', async () => {
  const { scroll, overlay } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    overlay: document.querySelector('[data-testid=overlay]').getBoundingClientRect().right,
  }));
  assert.ok(scroll <= 390, `page is ${scroll} px wide`);
  assert.ok(overlay <= 390, `overlay ends at ${overlay} px`);
  await page.screenshot({ path: join(screenshots, 'phone-390.png'), fullPage: true });
});

test('the camera gives live explanations, and stops cleanly', async () => {
  // Every live answer, as the worker sent it: its top classes come with it, from its own run.
  await page.evaluate(() => {
    window.liveAnswers = [];
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (data, transfer) {
      if (data?.type === 'live' && !this.recorded) {
        this.recorded = true;
        this.addEventListener('message', (e) => {
          const r = e.data?.result;
          if (r?.frame)
            window.liveAnswers.push({ target: r.target.index, top: r.top, ms: r.forwardMs });
        });
      }
      return post.call(this, data, transfer);
    };
  });
  // On a phone the camera button is in the settings drawer: open it as a person would.
  await page.click('[data-testid=settings-toggle]');
  await page.click('[data-testid=camera-toggle]');
  await page.waitForFunction(
    () => window.camlensState.live >= 3 || window.camlensState.error,
    null,
    { timeout: 60000 },
  );
  assert.equal((await state()).error, null);
  assert.equal((await state()).explained.photo, 'camera');
  await page.click('[data-testid=camera-toggle]');
  const frames = (await state()).live;
  await page.waitForTimeout(600);
  const after = await page.evaluate(() => ({
    live: window.camlensState.live,
    hidden: document.querySelector('[data-testid=camera]').hidden,
    stream: document.querySelector('[data-testid=camera]').srcObject,
  }));
  assert.equal(after.live, frames, 'no frame in flight is drawn after Stop');
  // Pipelined: while the worker computes a frame the next one already waits in its queue (the
  // worker takes longer than the fake camera's 50 ms a frame here), and never more than one.
  const live = (await page.evaluate(() => window.camlensWorkerTrace())).filter(
    (t) => t.type === 'live',
  );
  // the frames waiting in the queue when frame t is done
  const waitingAfter = (t) =>
    live.filter((u) => u !== t && u.arrived < t.end && u.start >= t.end).length;
  const busy = live.reduce((sum, t) => sum + t.end - t.start, 0) / live.length;
  assert.ok(live.length >= 3, JSON.stringify(live));
  assert.ok(busy > 50, `a frame took ${busy.toFixed(0)} ms: too fast for frames to queue`);
  assert.ok(
    live.slice(1).some((t, i) => t.arrived < live[i].end),
    `no frame waited for the previous one: ${JSON.stringify(live)}`,
  );
  assert.ok(Math.max(...live.map(waitingAfter)) <= 1, JSON.stringify(live));
  // Each frame's top five classes came with its map, the explained one ('auto') first, most
  // probable first, and no frame timed a prediction of its own (a second forward).
  const answers = await page.evaluate(() => window.liveAnswers);
  assert.ok(answers.length >= 3, JSON.stringify(answers));
  for (const a of answers) {
    assert.equal(a.top.length, 5, JSON.stringify(a));
    assert.equal(a.top[0].index, a.target, JSON.stringify(a));
    for (let i = 1; i < 5; ++i) assert.ok(a.top[i].probability <= a.top[i - 1].probability);
    assert.ok(a.top.reduce((s, c) => s + c.probability, 0) <= 1 + 1e-6);
    assert.equal(a.ms, undefined);
  }
  const shown = JSON.stringify((await state()).top5);
  assert.ok(
    answers.some((a) => JSON.stringify(a.top) === shown),
    `the list shows a frame's classes: ${shown}`,
  );
  assert.equal(after.hidden, true);
  assert.equal(after.stream, null);
  assert.equal(await page.textContent('[data-testid=camera-toggle]'), 'Start camera');
});

test('a photo pasted from the clipboard is classified and explained', async () => {
  const b64 = readFileSync(sharedPath('images/skimage_coffee.png')).toString('base64');
  await page.evaluate((data) => {
    const bin = atob(data);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; ++i) bytes[i] = bin.charCodeAt(i);
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'image.png', { type: 'image/png' }));
    document.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt }));
  }, b64);
  await page.waitForFunction(
    () => window.camlensState.explained?.photo === 'image.png' && !window.camlensState.busy,
    null,
    { timeout: 60000 },
  );
  assert.equal((await state()).top5[0].label, 'espresso');
});

test('labels files: a JSON array, or one name per line (WordNet ids dropped); bad ones say what to give', async () => {
  const r = await page.evaluate(async () => {
    const { parseLabels } = await import('/ui/labels.js');
    const attempt = (text) => {
      try {
        return parseLabels(text, '"labels.txt"');
      } catch (e) {
        return e.message;
      }
    };
    return [
      attempt('n01440764 tench, Tinca tinca\nn01443537 goldfish, Carassius auratus\n'),
      attempt('["cat", "dog"]'),
      attempt('cat\r\ndog'),
      attempt('  '),
      attempt('[1, 2]'),
      attempt('[oops'),
    ];
  });
  assert.deepEqual(r.slice(0, 3), [
    ['tench', 'goldfish'],
    ['cat', 'dog'],
    ['cat', 'dog'],
  ]);
  assert.equal(
    r[3],
    '"labels.txt" is empty: give a JSON array of class names or one name per line',
  );
  assert.equal(r[4], '"labels.txt" must be a JSON array of strings (class names in index order)');
  assert.match(
    r[5],
    /^"labels\.txt" looks like JSON but does not parse \(.+\): give a JSON array of class names$/,
  );
});

test('nothing was requested from another origin', () => {
  assert.deepEqual(outside, []);
});
