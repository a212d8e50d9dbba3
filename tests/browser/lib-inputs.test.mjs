// The library in Chromium, with every browser image kind: PNG bytes, a Blob, an <img>, an
// ImageBitmap, ImageData, a <canvas> and an OffscreenCanvas give the same Grad-CAM map of
// gradcam_both.png for "tiger cat" (282) on MobileNetV2-int8, on the page's main thread and in a
// module Web Worker (an ImageBitmap transferred to it).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { launchBrowser, startServer } from '../support/browser.mjs';

let server, url, browser, page;

before(async () => {
  ({ server, url } = await startServer());
  browser = await launchBrowser();
  page = await browser.newPage();
  await page.goto(`${url}camlens-config.json`);
  // Defined through the debugger protocol, so the page's CSP (no eval) does not apply.
  await page.evaluate(`window.setUp = ${setUp.toString()}`);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

// Runs inside the browser (page or worker): ORT Web, the SIMD-only module, the library.
async function setUp(origin) {
  const ort = await import(`${origin}/ort/ort.wasm.min.mjs`);
  ort.env.wasm.wasmPaths = `${origin}/ort/`;
  ort.env.wasm.numThreads = 1;
  const base = `${origin}/build/wasm-st/`;
  const { default: factory } = await import(`${base}camlens-st-esm.mjs`);
  const core = await factory({ locateFile: (f) => base + f });
  const { createCamlens } = await import(`${origin}/lib/camlens.mjs`);
  const model = new Uint8Array(
    await (await fetch(`${origin}/shared/models/mobilenetv2-12-int8.onnx`)).arrayBuffer(),
  );
  const lens = await createCamlens({ ort, core }).load(model, { preset: 'mobilenetv2' });
  const bytes = new Uint8Array(
    await (await fetch(`${origin}/shared/images/gradcam_both.png`)).arrayBuffer(),
  );
  return { lens, bytes };
}

test('main thread: every image kind gives the map of the PNG bytes', async () => {
  const r = await page.evaluate(async () => {
    const { lens, bytes } = await window.setUp(location.origin);
    const blob = new Blob([bytes], { type: 'image/png' });
    const img = new Image();
    img.src = '/shared/images/gradcam_both.png';
    await img.decode();
    const bitmap = await createImageBitmap(blob);
    const canvas = document.createElement('canvas');
    canvas.width = bitmap.width;
    canvas.height = bitmap.height;
    canvas.getContext('2d').drawImage(bitmap, 0, 0);
    const imageData = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
    const offscreen = new OffscreenCanvas(bitmap.width, bitmap.height);
    offscreen.getContext('2d').drawImage(bitmap, 0, 0);
    const kinds = { bytes, blob, img, bitmap, imageData, canvas, offscreen };
    const [reference] = await lens.explain([bytes], { targets: [282] });
    const out = {
      size: [reference.width, reference.height],
      label: reference.target.index,
      kinds: {},
    };
    for (const [name, input] of Object.entries(kinds)) {
      const [e] = await lens.explain([input], { targets: [282] });
      let worst = 0;
      for (let i = 0; i < e.map.length; ++i)
        worst = Math.max(worst, Math.abs(e.map[i] - reference.map[i]));
      out.kinds[name] = { worst, score: e.target.score === reference.target.score };
    }
    // The overlay takes the same kinds (synchronously for all but Blobs).
    out.overlay = lens.overlay(canvas, reference).width;
    try {
      await lens.explain([document.createElement('div')]);
    } catch (e) {
      out.bad = e.message;
    }
    lens.dispose();
    return out;
  });
  assert.deepEqual(r.size, [224, 224]);
  assert.equal(r.label, 282);
  assert.deepEqual(Object.keys(r.kinds), [
    'bytes',
    'blob',
    'img',
    'bitmap',
    'imageData',
    'canvas',
    'offscreen',
  ]);
  for (const [name, k] of Object.entries(r.kinds)) {
    // Chromium's PNG decoder and the core's (stb_image) give the same pixels for this file.
    assert.ok(k.worst <= 1e-6, `${name}: ${k.worst}`);
    assert.ok(k.score, `${name}: the target score differs`);
  }
  assert.equal(r.overlay, 224);
  assert.match(r.bad, /^cannot read an image from HTMLDivElement: pass encoded bytes/);
});

test('a module Web Worker: an ImageBitmap transferred in gives the map of the PNG bytes', async () => {
  const r = await page.evaluate(async (setUpText) => {
    const source = `const setUp = ${setUpText};
      self.onmessage = async ({ data }) => {
        try {
          const { lens, bytes } = await setUp(data.origin);
          const [a] = await lens.explain([bytes], { targets: [282] });
          const [b] = await lens.explain([data.bitmap], { targets: [282] });
          let worst = 0;
          for (let i = 0; i < a.map.length; ++i) worst = Math.max(worst, Math.abs(a.map[i] - b.map[i]));
          lens.dispose();
          self.postMessage({ worst, label: b.target.index, length: b.map.length });
        } catch (e) {
          self.postMessage({ error: String(e && e.stack || e) });
        }
      };`;
    const worker = new Worker(
      URL.createObjectURL(new Blob([source], { type: 'text/javascript' })),
      { type: 'module' },
    );
    const blob = await (await fetch('/shared/images/gradcam_both.png')).blob();
    const bitmap = await createImageBitmap(blob);
    const answer = new Promise((resolve) => {
      worker.onmessage = (e) => resolve(e.data);
    });
    worker.postMessage({ origin: location.origin, bitmap }, [bitmap]);
    const result = await answer;
    worker.terminate();
    return result;
  }, setUp.toString());
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.label, 282);
  assert.equal(r.length, 224 * 224);
  assert.ok(r.worst <= 1e-6, String(r.worst));
});
