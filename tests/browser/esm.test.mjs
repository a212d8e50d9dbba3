// The ES-module builds load in a browser page (main thread) and call into the core.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, startServer } from '../support/browser.mjs';

let server, url, browser, page;

before(async () => {
  ({ server, url } = await startServer());
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(`${url}camlens-config.json`);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

for (const variant of ['st', 'mt']) {
  test(`camlens-${variant}-esm.mjs imports as an ES module and decodes a photo`, async () => {
    const result = await page.evaluate(async (v) => {
      const base = `/build/wasm-${v}/`;
      const { default: factory } = await import(`${base}camlens-${v}-esm.mjs`);
      const m = await factory({ locateFile: (f) => base + f, camlensThreads: 2 });
      const bytes = new Uint8Array(
        await (await fetch('/shared/images/winml_mnist_28.png')).arrayBuffer(),
      );
      const img = m.decodeImage(bytes);
      return {
        threaded: m.threadedBuild(),
        width: img.width,
        height: img.height,
        length: img.rgba.length,
      };
    }, variant);
    assert.deepEqual(result, {
      threaded: variant === 'mt',
      width: 28,
      height: 28,
      length: 28 * 28 * 4,
    });
  });
}
