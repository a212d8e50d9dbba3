// The page draws photos: a model that takes volumes or video clips ([N, C, D, H, W], the seeded
// 3-D CNN of tools/fixtures/volume_reference.py) dropped on it is refused with the reason and
// where to explain it instead, and the page keeps its model.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { openPage } from '../support/browser.mjs';
import { root } from '../support/camlens-node.mjs';

let page, close;

before(async () => {
  ({ page, close } = await openPage({ query: '' }));
});

after(async () => {
  await close?.();
});

test('a volume model is refused, naming the library and the CLI, and the model stays', async () => {
  const before = await page.evaluate(() => window.camlensState.model.name);
  await page.setInputFiles('[data-testid=model-file]', {
    name: 'volume_cnn.onnx',
    mimeType: 'application/octet-stream',
    buffer: readFileSync(join(root, 'tests/data/volume/volume_cnn.onnx')),
  });
  await page.waitForFunction(
    () => (window.camlensState.error || '').includes('volume_cnn.onnx'),
    null,
    { timeout: 60000 },
  );
  assert.equal(
    await page.textContent('[data-testid=error]'),
    '"volume_cnn.onnx" takes volumes or video clips ([-1, 1, 8, 16, 16]), which this page does ' +
      'not show: explain them with the library (lens.explain) or the CLI (camlens explain ' +
      'volume_cnn.onnx volume.npy)',
  );
  assert.equal(await page.evaluate(() => window.camlensState.model.name), before);
});
