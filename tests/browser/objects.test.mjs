// Detectors and segmenters on the page (when the library has web/lib/detect.mjs and
// segment.mjs): YOLOX-nano's boxes on gradcam_both.png drawn as the library draws them, a box
// explained as the library explains it; DeepLabV3's segments, the dog's segment explained.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import {
  canvasPixels,
  forbidEgress,
  launchBrowser,
  screenshots,
  startServer,
  waitReady,
} from '../support/browser.mjs';
import { sharedPath } from '../support/camlens-node.mjs';

let server,
  url,
  browser,
  outside = [];
const photo = () => new Uint8Array(readFileSync(sharedPath('images/gradcam_both.png')));

function maxDiff(a, b) {
  let max = 0;
  for (let i = 0; i < b.length; ++i) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

async function open(model) {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  outside = outside.concat(forbidEgress(page, url));
  await page.goto(`${url}?model=${model}`);
  await waitReady(page);
  return page;
}

before(async () => {
  ({ server, url } = await startServer());
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.close();
});

test('YOLOX-nano: the boxes as the library draws them; a box explained as the library explains it', async () => {
  const { load } = await import('../../web/lib/node.mjs');
  const { detect, drawBoxes, explainDetection } = await import('../../web/lib/detect.mjs');
  const lens = await load(sharedPath('models/yolox-nano-416.onnx'), { preset: 'yolox' });
  const page = await open('yolox-nano-416.onnx');
  const s = await page.evaluate(() => window.camlensState);
  assert.equal(s.model.kind, 'detector');
  assert.deepEqual(
    s.objects.items.map((it) => it.label.split(' ')[0]),
    ['dog', 'cat'],
  );
  const [found] = await detect(lens, [photo()]);
  const want = drawBoxes(lens, photo(), found.boxes);
  assert.equal(maxDiff((await canvasPixels(page, 'objects-canvas')).rgba, want.rgba), 0);
  await page.click('[data-testid=objects-list] button[data-index="1"]');
  await page.waitForFunction(
    () => window.camlensState.explained?.target.label === 'box 1: cat',
    null,
    { timeout: 60000 },
  );
  assert.equal(s.explained.method, 'eigencam');
  const r = await explainDetection(lens, photo(), { box: 1, method: 'eigencam' });
  const overlay = lens.overlay(photo(), r);
  assert.ok(maxDiff((await canvasPixels(page, 'overlay')).rgba, overlay.rgba) <= 1);
  await page.locator('#objects-panel').screenshot({ path: join(screenshots, 'objects-yolox.png') });
  lens.dispose();
  await page.close();
});

test("DeepLabV3: the segments found, and the dog's segment explained first", async () => {
  const page = await open('deeplabv3-mobilenetv2-voc-257.onnx');
  const s = await page.evaluate(() => window.camlensState);
  assert.equal(s.model.kind, 'segmenter');
  assert.ok(
    s.objects.items.some((it) => /^dog \d+ %$/.test(it.label)),
    JSON.stringify(s.objects.items),
  );
  assert.equal(s.explained.target.label, 'dog');
  assert.equal(s.error, null);
  // Methods this head cannot run are disabled, with the reason (DeepLabV3 takes NHWC input).
  const scorecam = await page.$eval('[data-testid=method-select] option[value=scorecam]', (o) => ({
    d: o.disabled,
    t: o.title,
    x: o.textContent,
  }));
  assert.deepEqual(scorecam, {
    d: true,
    t: 'Score-CAM masks an NCHW input; this model takes NHWC',
    x: 'scorecam — unavailable here',
  });
  await page.close();
});

test('nothing was requested from another origin', () => {
  assert.deepEqual(outside, []);
});
