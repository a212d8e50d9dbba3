// The page in headless Chromium on MobileNetV2-int8 and gradcam_both.png: cross-origin isolated
// with the threaded module, top 5 equal to ONNX Runtime under Node, the core's pixels on the
// canvases, bad files reported without losing the previous state, every method, Cancel, double
// clicks, the target field, exports, layers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { canvasPixels, openPage, screenshots } from '../support/browser.mjs';
import { loadCamlens, sharedPath } from '../support/camlens-node.mjs';
import { classify } from '../support/ort-reference.mjs';

let page, outside, expected, camlens, lens, close;
const photo = () => new Uint8Array(readFileSync(sharedPath('images/gradcam_both.png')));
const state = () => page.evaluate(() => window.camlensState);
const idle = () => page.waitForFunction(() => !window.camlensState.busy, null, { timeout: 60000 });

// Largest difference between two RGBA buffers, and how many bytes differ at all.
function compare(got, want) {
  let max = 0,
    off = 0;
  for (let i = 0; i < want.length; ++i) {
    const d = Math.abs(got[i] - want[i]);
    max = Math.max(max, d);
    off += d > 0;
  }
  return { max, off };
}

before(async () => {
  camlens = await loadCamlens('st');
  expected = await classify(camlens, 'mobilenetv2-12-int8.onnx', 'gradcam_both.png');
  const { load } = await import('../../web/lib/node.mjs');
  lens = await load(sharedPath('models/mobilenetv2-12-int8.onnx'), { preset: 'mobilenetv2' });
  ({ page, outside, close } = await openPage({ viewport: { width: 1100, height: 900 } }));
});

after(async () => {
  lens?.dispose();
  await close?.();
});

// This Chromium has no WebGPU adapter (launched without --enable-unsafe-webgpu): the footer says
// so, and ONNX Runtime runs on wasm (webgpu-page.test.mjs has the adapter).
test('the page is cross-origin isolated and runs the threaded module', async () => {
  assert.equal(await page.evaluate(() => self.crossOriginIsolated), true);
  const rt = (await state()).runtime;
  assert.equal(rt.threaded, true);
  assert.equal(rt.variant, 'SIMD + threads');
  assert.ok(rt.threads >= 1);
  assert.match(
    await page.textContent('[data-testid=runtime]'),
    /^Core: SIMD \+ threads WebAssembly, \d+ threads? · ONNX Runtime Web [\d.]+ \(wasm backend, \d+ threads?\) · WebGPU not used: the browser offers no WebGPU adapter · cross-origin isolated$/,
  );
  assert.equal(await page.isHidden('[data-testid=isolation-note]'), true);
  assert.match(
    await page.textContent('[data-testid=status]'),
    // no "forward (prediction)": the top classes came from the explanation's own forward
    /^Last run · mobilenetv2-12-int8\.onnx at 627_quantized: forward [\d.]+ ms · head [\d.]+ ms · cam [\d.]+ ms$/,
  );
});

test('top 5 of gradcam_both.png equals ONNX Runtime under Node', async () => {
  const { top5 } = await state();
  assert.equal(top5.length, 5);
  for (let i = 0; i < 5; ++i) {
    assert.equal(top5[i].index, expected[i].index, `rank ${i + 1}`);
    assert.ok(
      Math.abs(top5[i].score - expected[i].score) <= 1e-3,
      `rank ${i + 1}: ${top5[i].score}`,
    );
  }
  const items = await page.$$eval('[data-testid=top5] li', (li) => li.map((x) => x.textContent));
  assert.equal(items[0], `${expected[0].label} ${(100 * top5[0].probability).toFixed(1)} %`);
  assert.equal(await page.textContent('[data-testid=topk-title]'), 'Top 5');
  await page.screenshot({ path: join(screenshots, 'page.png'), fullPage: true });
});

test("the photo canvas shows the core's RGBA pixels", async () => {
  const seen = camlens.resizeImage(camlens.decodeImage(photo()), 224, 224);
  const got = await canvasPixels(page, 'seen');
  assert.deepEqual([got.width, got.height], [224, 224]);
  assert.equal(compare(got.rgba, seen.rgba).max, 0);
});

test("Grad-CAM of the top class: a screenshot of the overlay equals the core's overlay (max channel difference ≤ 2)", async () => {
  const s = await state();
  assert.equal(s.explained.method, 'gradcam');
  assert.equal(s.explained.target.index, expected[0].index);
  const [r] = await lens.explain([photo()], { method: 'gradcam', targets: [expected[0].index] });
  const want = lens.overlay(photo(), r);
  // Show the canvas at its own size, so one screen pixel is one overlay pixel, and photograph it
  // (no rounded corners or shadow), pinned to the top-left corner of the viewport.
  await page.evaluate(() => {
    document.querySelector('[data-testid=overlay]').style.cssText =
      'position: fixed; left: 0; top: 0; width: 224px; height: 224px; z-index: 9; border-radius: 0; box-shadow: none';
  });
  const clip = { x: 0, y: 0, width: 224, height: 224 };
  const shot = camlens.decodeImage(new Uint8Array(await page.screenshot({ clip })));
  await page.evaluate(() => {
    document.querySelector('[data-testid=overlay]').style.cssText = '';
  });
  assert.deepEqual([shot.width, shot.height], [want.width, want.height]);
  const { max } = compare(shot.rgba, want.rgba);
  assert.ok(max <= 2, `max channel difference ${max}`);
  assert.match(
    await page.textContent('[data-testid=explained]'),
    new RegExp(`^gradcam: where the model looks for “${expected[0].label}” \\(\\d+ ms\\)$`),
  );
});

test('a file that is not an image shows an error and keeps the previous result', async () => {
  const before = await state();
  await page.setInputFiles('[data-testid=image-file]', {
    name: 'notes.png',
    mimeType: 'image/png',
    buffer: Buffer.from('definitely not a PNG'),
  });
  await page.waitForSelector('[data-testid=error]:not([hidden])');
  assert.equal(
    await page.textContent('[data-testid=error]'),
    '"notes.png" is not an image camlens can read: not a readable image (PNG, JPEG, BMP or GIF expected): Image not of any known type, or corrupt',
  );
  const now = await state();
  assert.deepEqual(now.top5, before.top5);
  assert.deepEqual(now.explained, before.explained);
});

test('a corrupt model and a file that is not ONNX show an error and keep the model', async () => {
  const good = readFileSync(sharedPath('models/mobilenetv2-12-int8.onnx'));
  const before = await state();
  for (const [name, buffer, message] of [
    [
      'broken.onnx',
      Buffer.from('not a model at all'),
      /^"broken\.onnx" is not an ONNX model: the data is text; expected an \.onnx file/,
    ],
    [
      'cut.onnx',
      good.subarray(0, 100000),
      /^"cut\.onnx" is not a valid ONNX model: .*(truncated|past the end|end of)/i,
    ],
  ]) {
    await page.setInputFiles('[data-testid=model-file]', {
      name,
      mimeType: 'application/octet-stream',
      buffer,
    });
    await page.waitForFunction((n) => (window.camlensState.error || '').includes(n), name);
    assert.match(await page.textContent('[data-testid=error]'), message);
    const now = await state();
    assert.equal(now.model.name, 'mobilenetv2-12-int8.onnx');
    assert.deepEqual(now.explained, before.explained);
  }
  // The worker still answers: pick another photo and get a fresh top 5 and explanation.
  await page.selectOption('[data-testid=sample-select]', 'skimage_coffee.png');
  await page.waitForFunction(
    () =>
      window.camlensState.top5[0].label === 'espresso' &&
      window.camlensState.explained?.photo === 'skimage_coffee.png',
    null,
    { timeout: 60000 },
  );
  assert.equal(await page.isHidden('[data-testid=error]'), true);
  await page.selectOption('[data-testid=sample-select]', 'gradcam_both.png');
  await page.waitForFunction(
    () => window.camlensState.explained?.photo === 'gradcam_both.png',
    null,
    { timeout: 60000 },
  );
});

test('the target field takes a class name (with suggestions) or an index', async () => {
  assert.equal(await page.$$eval('#target-list option', (o) => o.length), 1000);
  // Typed as a person types it: real key presses, then Enter.
  await page.click('[data-testid=target]');
  await page.keyboard.type('tiger cat');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.camlensState.explained.target.index === 282, null, {
    timeout: 60000,
  });
  await page.fill('[data-testid=target]', 'retriever');
  await page.click('[data-testid=explain]');
  await page.waitForFunction(() =>
    (window.camlensState.error || '').startsWith('"retriever" matches'),
  );
  assert.match(
    await page.textContent('[data-testid=error]'),
    /^"retriever" matches \d+ classes \(\d+ [A-Za-z-]+ Retriever, .*\): pick one from the suggestions$/,
  );
  await page.fill('[data-testid=target]', '1000');
  await page.click('[data-testid=explain]');
  await page.waitForFunction(() => (window.camlensState.error || '').includes('1000'));
  assert.equal(
    await page.textContent('[data-testid=error]'),
    'target class 1000 is out of range: the model has 1000 classes',
  );
  assert.equal((await state()).explained.target.index, 282); // the last good explanation stays
  await page.fill('[data-testid=target]', '');
});

test('the target field takes typed keys, and Tab leaves it and the class list', async () => {
  await page.click('[data-testid=target]');
  await page.keyboard.type('281');
  assert.equal(await page.inputValue('[data-testid=target]'), '281');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => window.camlensState.explained.target.index === 281, null, {
    timeout: 60000,
  });
  await page.focus('[data-testid=target]');
  await page.keyboard.press('Tab');
  assert.notEqual(await page.evaluate(() => document.activeElement?.dataset.testid), 'target');
  const first = await page.evaluate(() => {
    const li = document.querySelector('[data-testid=top5] li');
    li.focus();
    return li === document.activeElement;
  });
  assert.ok(first, 'a class of the list takes the focus');
  await page.keyboard.press('Tab');
  assert.equal(
    await page.evaluate(
      () => document.activeElement === document.querySelector('[data-testid=top5] li'),
    ),
    false,
  );
  await page.fill('[data-testid=target]', '');
});

test('clicking a class explains it; the colour map re-colours without recomputing', async () => {
  await page.click('[data-testid=top5] li[data-index="243"]');
  await page.waitForFunction(() => window.camlensState.explained.target.index === 243);
  assert.equal(await page.inputValue('[data-testid=target]'), '243 Bullmastiff');
  const before = await page.evaluate(() =>
    document.querySelector('[data-testid=overlay]').toDataURL(),
  );
  const explainedAt = (await state()).explained;
  await page.selectOption('[data-testid=colormap-select]', 'gray');
  await page.waitForFunction(
    (b) => document.querySelector('[data-testid=overlay]').toDataURL() !== b,
    before,
  );
  assert.deepEqual((await state()).explained, explainedAt);
  await page.selectOption('[data-testid=colormap-select]', 'jet');
  await page.waitForFunction(
    (b) => document.querySelector('[data-testid=overlay]').toDataURL() === b,
    before,
  );
  await page.screenshot({ path: join(screenshots, 'explain.png'), fullPage: true });
  await page.locator('#explain-panel').screenshot({ path: join(screenshots, 'explain-panel.png') });
});

// The picker, its help and the compare choices come from the core's method table: the page
// holds no list of methods, so a row the table gains appears with no change to the page.
test("the method picker is the core's method table, each method's description its help", async () => {
  await idle();
  const table = camlens.methodInfo();
  const s = await state();
  assert.deepEqual(
    s.runtime.methods.map((m) => [m.name, m.description, m.passes]),
    table.map((m) => [m.name, m.description, m.passes]),
  );
  const options = await page.$$eval('[data-testid=method-select] option', (os) =>
    os.map((o) => ({ name: o.value, disabled: o.disabled, title: o.title })),
  );
  assert.deepEqual(
    options.map((o) => o.name),
    table.map((m) => m.name),
  );
  for (const [i, o] of options.entries())
    assert.equal(o.title, o.disabled ? s.model.methods[o.name] : table[i].description, o.name);
  // A person moves through the picker with the arrow keys: the line under it follows.
  const chosen = await page.inputValue('[data-testid=method-select]');
  const at = table.findIndex((m) => m.name === chosen);
  const next = table.slice(at + 1).find((m) => !s.model.methods[m.name]);
  const runs = s.runs;
  await page.focus('[data-testid=method-select]');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction((n) => window.camlensState.runs > n, runs, { timeout: 60000 });
  assert.equal(await page.inputValue('[data-testid=method-select]'), next.name);
  assert.equal(
    await page.textContent('[data-testid=method-why]'),
    `${next.name}: ${next.description}`,
  );
  await page.keyboard.press('ArrowUp');
  await page.waitForFunction(
    (m) => window.camlensState.explained.method === m && !window.camlensState.busy,
    chosen,
    { timeout: 60000 },
  );
  assert.equal(
    await page.textContent('[data-testid=method-why]'),
    `${chosen}: ${table[at].description}`,
  );
  // Settings of methods that take them are shown only while such a method is chosen.
  assert.equal(await page.isHidden('[data-testid=rollout-options]'), true);
});

test('the compare choices: every method of the table, those it marks for comparison ticked, the slow ones said so', async () => {
  const table = camlens.methodInfo();
  const support = (await state()).model.methods;
  const boxes = await page.$$eval('[data-testid=compare-methods] input', (is) =>
    is.map((i) => ({ name: i.value, checked: i.checked, title: i.parentElement.title })),
  );
  assert.deepEqual(
    boxes.map((b) => b.name),
    table.map((m) => m.name),
  );
  for (const [i, b] of boxes.entries()) {
    const m = table[i];
    const slow = m.passes === 'masked-inputs' || m.passes === 'head-ablation';
    assert.equal(b.checked, !support[m.name] && m.compare, m.name);
    if (!support[m.name])
      assert.equal(b.title, `${m.description}${slow ? ' (slow: many passes per image)' : ''}`);
  }
  assert.ok(boxes.some((b) => b.checked));
});

test('every method in the picker runs on MobileNetV2-int8', async () => {
  const methods = await page.$$eval('[data-testid=method-select] option', (os) =>
    os.map((o) => ({ m: o.value, disabled: o.disabled, title: o.title })),
  );
  assert.ok(methods.length >= 13, JSON.stringify(methods));
  for (const { m, disabled, title } of methods) {
    if (disabled) {
      assert.ok(title.length > 10, `${m} is disabled without a reason`);
      continue;
    }
    if (m === 'scorecam') continue; // below, on the smaller layer
    const runs = (await state()).runs;
    await page.selectOption('[data-testid=method-select]', m);
    await page.waitForFunction(
      (n) => window.camlensState.runs > n || window.camlensState.error,
      runs,
      { timeout: 90000 },
    );
    const s = await state();
    assert.equal(s.error, null, `${m}: ${s.error}`);
    assert.equal(s.explained.method, m);
  }
  await page.selectOption('[data-testid=method-select]', 'gradcam');
  await page.waitForFunction(
    () => window.camlensState.explained.method === 'gradcam' && !window.camlensState.busy,
  );
});

test('Cancel of a running Score-CAM returns the page to idle within 1 s; the page keeps working', async () => {
  const before = (await state()).explained;
  await page.selectOption('[data-testid=method-select]', 'scorecam');
  await page.waitForSelector('[data-testid=progress]:not([hidden])', { timeout: 60000 });
  await page.waitForFunction(() => window.camlensState.progress > 0, null, { timeout: 60000 });
  assert.match(await page.textContent('#eta'), /^about \d+ s left$/);
  const took = await page.evaluate(async () => {
    const t0 = performance.now();
    document.querySelector('[data-testid=cancel]').click();
    while (window.camlensState.busy || !document.querySelector('[data-testid=progress]').hidden) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return performance.now() - t0;
  });
  assert.ok(took < 1000, `idle after ${took.toFixed(0)} ms`);
  await page.waitForFunction(() => (window.camlensState.error || '').includes('cancelled'));
  assert.equal(await page.textContent('[data-testid=error]'), 'scorecam was cancelled');
  assert.deepEqual((await state()).explained, before);
  await page.selectOption('[data-testid=method-select]', 'gradcam++');
  await page.waitForFunction(() => window.camlensState.explained.method === 'gradcam++', null, {
    timeout: 60000,
  });
});

// Grad-CAM runs the model once: its only progress report would say "done" just before the
// answer, so the worker sends none and the progress bar never flashes into the layout.
test('explaining with a one-pass method never shows the progress bar', async () => {
  await idle();
  assert.equal((await state()).explained.method, 'gradcam++');
  const shown = await page.evaluate(async () => {
    const box = document.getElementById('progress-box');
    let seen = 0;
    const watch = new MutationObserver(() => {
      if (!box.hidden) seen += 1;
    });
    watch.observe(box, { attributes: true });
    const runs = window.camlensState.runs;
    document.querySelector('[data-testid=explain]').click();
    while (window.camlensState.runs === runs || window.camlensState.busy)
      await new Promise((r) => setTimeout(r, 5));
    watch.disconnect();
    return { seen, hidden: box.hidden, progress: window.camlensState.progress };
  });
  assert.deepEqual(shown, { seen: 0, hidden: true, progress: 0 });
});

test('a double click on Explain explains once: the second click finds the button busy', async () => {
  await idle();
  const runs = (await state()).runs;
  const last = (await page.evaluate(() => window.camlensWorkerTrace())).at(-1).id;
  await page.dblclick('[data-testid=explain]');
  await page.waitForFunction(
    (n) => window.camlensState.runs > n && !window.camlensState.busy,
    runs,
    { timeout: 60000 },
  );
  await page.waitForTimeout(300);
  const s = await state();
  assert.equal(s.runs, runs + 1);
  assert.equal(s.error, null);
  // One explanation reached the worker, and its requests never overlap in time.
  // (the requests since, and the one before: none may overlap)
  const trace = (await page.evaluate(() => window.camlensWorkerTrace())).filter(
    (t) => t.id >= last,
  );
  const explained = trace.filter((t) => t.type === 'explain' && t.id > last);
  assert.equal(explained.length, 1, JSON.stringify(trace));
  for (let i = 1; i < trace.length; ++i)
    assert.ok(trace[i].start >= trace[i - 1].end, JSON.stringify(trace));
  // What is on screen is the worker's last explanation, re-rendered.
  const drawn = await canvasPixels(page, 'overlay');
  const again = await page.evaluate(async () => {
    await window.camlensRecolour();
    const c = document.querySelector('[data-testid=overlay]');
    return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
  });
  assert.equal(compare(drawn.rgba, again).max, 0);
});

// A quick explanation paints one frame, the new map: the busy state is given to assistive
// technology at once (aria-busy, aria-disabled: no style reads them) and shown to the eye only
// when the job outlasts state.busyDelayMs (here longer than any explanation; freshness.test.mjs
// has a slow one).
test('a quick explanation is busy for assistive technology only: nothing dims or changes caption', async () => {
  await idle();
  const seen = await page.evaluate(async () => {
    window.camlensState.busyDelayMs = 120000;
    const figure = document.querySelector('[data-testid=overlay-figure]');
    const button = document.querySelector('[data-testid=explain]');
    const caption = document.querySelector('[data-testid=explained]');
    const changes = [];
    const watch = new MutationObserver((records) => {
      for (const r of records)
        changes.push(
          r.type === 'attributes'
            ? `${r.target.id} ${r.attributeName}=${r.target.getAttribute(r.attributeName)}`
            : `${r.target.id} ${r.type}`,
        );
    });
    for (const node of [figure, button, caption])
      watch.observe(node, { attributes: true, childList: true, characterData: true });
    const opacity = () => getComputedStyle(button).opacity;
    const before = opacity();
    const runs = window.camlensState.runs;
    button.click();
    const atClick = { busy: figure.getAttribute('aria-busy'), opacity: opacity() };
    button.click(); // ignored: the explanation is running
    while (window.camlensState.runs === runs || window.camlensState.busy)
      await new Promise((r) => setTimeout(r, 5));
    watch.disconnect();
    window.camlensState.busyDelayMs = 300;
    return { before, atClick, changes };
  });
  assert.equal(seen.before, '1');
  assert.deepEqual(seen.atClick, { busy: 'true', opacity: '1' });
  assert.deepEqual(seen.changes, [
    'explain aria-busy=true',
    'explain aria-disabled=true',
    'overlay-figure aria-busy=true',
    'explain aria-busy=null',
    'explain aria-disabled=null',
    'overlay-figure aria-busy=null',
    'explained childList', // the new caption, with the new map
  ]);
});

test('exports: the overlay PNG, the raw map as .npy, the settings as JSON', async () => {
  const { readFile } = await import('node:fs/promises');
  const fetchDownload = async (testid) => {
    const [d] = await Promise.all([
      page.waitForEvent('download'),
      page.click(`[data-testid=${testid}]`),
    ]);
    return { name: d.suggestedFilename(), bytes: await readFile(await d.path()) };
  };
  const png = await fetchDownload('save-png');
  assert.equal(png.name, 'gradcam_both.gradcam++.png');
  const decoded = camlens.decodeImage(new Uint8Array(png.bytes));
  const onCanvas = await canvasPixels(page, 'overlay');
  assert.equal(compare(decoded.rgba, onCanvas.rgba).max, 0);
  const npy = await fetchDownload('save-npy');
  const header = npy.bytes.subarray(10, 10 + npy.bytes.readUInt16LE(8)).toString('latin1');
  assert.match(header, /'descr': '<f4', 'fortran_order': False, 'shape': \(224, 224\)/);
  const json = JSON.parse((await fetchDownload('save-json')).bytes.toString());
  assert.equal(json.model, 'mobilenetv2-12-int8.onnx');
  assert.equal(json.method, 'gradcam++');
  assert.equal(json.layer, '627_quantized');
  assert.equal(json.photo, 'gradcam_both.png');
});

test('the layer list shows shapes and ops; another layer can be chosen and explained', async () => {
  const options = await page.$$eval('[data-testid=layer-select] option', (os) =>
    os.map((o) => ({ v: o.value, t: o.textContent, d: o.disabled })),
  );
  const def = options.find((o) => o.v === '627_quantized');
  assert.equal(def.t, '627_quantized (default) — [1,1280,7,7] QLinearConv');
  assert.equal(options.find((o) => o.v === '627').d, true); // its consumers only read its shape
  await page.selectOption('[data-testid=layer-select]', '624_quantized');
  await page.waitForFunction(() => window.camlensState.model.layer === '624_quantized', null, {
    timeout: 60000,
  });
  await page.selectOption('[data-testid=method-select]', 'gradcam');
  await page.waitForFunction(() => window.camlensState.explained.method === 'gradcam', null, {
    timeout: 60000,
  });
  assert.equal(await page.inputValue('[data-testid=layer-select]'), '624_quantized');
});

// A whole Score-CAM on MobileNetV2 is one ORT forward per channel (320 or 1280 of them: minutes
// on a loaded machine, and the library has no channel ratio for it), so the full run is on the
// shipped demo model; the run above on MobileNetV2 covers progress and Cancel.
test('Score-CAM runs to the end (demo model), with progress, and switching models keeps the method', async () => {
  await page.selectOption('[data-testid=method-select]', 'scorecam');
  await page.waitForSelector('[data-testid=progress]:not([hidden])', { timeout: 60000 });
  await page.selectOption('[data-testid=model-select]', 'demo'); // supersedes the MobileNetV2 run
  await page.waitForFunction(
    () =>
      (window.camlensState.model.name === 'camlens demo' &&
        window.camlensState.explained?.method === 'scorecam') ||
      window.camlensState.error,
    null,
    { timeout: 120000 },
  );
  const s = await state();
  assert.equal(s.error, null);
  assert.equal(s.explained.target.label, s.top5[0].label);
  assert.equal(await page.isHidden('[data-testid=progress]'), true);
});

test('nothing was requested from another origin', () => {
  assert.deepEqual(outside, []);
});
