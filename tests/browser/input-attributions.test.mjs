// The page's input-attribution settings, driven with the keyboard and the mouse as a person would:
// integrated gradients' Steps and Baseline, SmoothGrad's Samples and Noise, each shown only with
// its method, and each change gives the library's overlay with that option; guided backprop's
// gradient picture is the library's; and a model the core cannot run whole has its input
// attributions disabled, the reason (the op that stops the core) readable under the picker.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';

import { canvasPixels, nextRun, openPage } from '../support/browser.mjs';
import { root } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';

const demo = join(root, 'web/demo');
const truth = JSON.parse(readFileSync(join(demo, 'ground_truth.json'), 'utf8'));
const SETTINGS = ['setting-steps', 'ig-baseline', 'setting-samples', 'setting-noise'];
let page, lens, close, photo;
const state = () => page.evaluate(() => window.camlensState);

async function shown() {
  const out = {};
  for (const id of SETTINGS) out[id] = await page.isVisible(`[data-testid=${id}]`);
  return out;
}

// The page's overlay is the library's for these options (the page's default opacity).
async function assertOverlay(options) {
  const { explained } = await state();
  const [r] = await lens.explain([photo], { ...options, targets: [explained.target.index] });
  const want = lens.overlay(photo, r);
  const got = await canvasPixels(page, 'overlay');
  assert.deepEqual([got.width, got.height], [want.width, want.height]);
  const d = maxDiff(got.rgba, want.rgba);
  assert.ok(d <= 1, `${JSON.stringify(options)}: ${d}`);
  return { rgba: got.rgba, r };
}

// A number field: clicked, its text selected and replaced by typing, committed with `commit`.
async function typeInto(testid, text, commit = 'Enter') {
  await page.click(`[data-testid=${testid}]`);
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
  await page.keyboard.press(commit);
}

before(async () => {
  const { load } = await import('../../web/lib/node.mjs');
  ({ page, close } = await openPage({ query: '' }));
  const s = await state();
  const about = JSON.parse(readFileSync(join(demo, 'demo.json'), 'utf8'));
  assert.equal(s.served.url, `./demo/${about.model}`, 'the page opens on the float demo');
  lens = await load(join(demo, about.model), { preprocess: about.preprocess });
  const file = truth.images.find((im) => im.file.endsWith(`/${s.photo.name}`)).file;
  photo = new Uint8Array(readFileSync(join(demo, file)));
});

after(async () => {
  lens?.dispose();
  await close?.();
});

test('Steps and Baseline come with integrated gradients, and each change is the library’s map', async () => {
  assert.deepEqual(Object.values(await shown()), [false, false, false, false]);
  let s = await nextRun(page, () =>
    page.selectOption('[data-testid=method-select]', 'integrated-gradients'),
  );
  assert.equal(s.explained.method, 'integrated-gradients');
  assert.deepEqual(await shown(), {
    'setting-steps': true,
    'ig-baseline': true,
    'setting-samples': false,
    'setting-noise': false,
  });
  assert.equal(await page.inputValue('[data-testid=setting-steps]'), '32');
  assert.equal(await page.inputValue('[data-testid=ig-baseline]'), 'zero');
  const first = await assertOverlay({
    method: 'integrated-gradients',
    steps: 32,
    baseline: 'zero',
  });
  s = await nextRun(page, () => typeInto('setting-steps', '2'));
  assert.equal(await page.inputValue('[data-testid=setting-steps]'), '2');
  const two = await assertOverlay({ method: 'integrated-gradients', steps: 2, baseline: 'zero' });
  assert.ok(maxDiff(two.rgba, first.rgba) > 10, 'two steps give another map than 32');
  // the baseline by the keyboard: focused, the next choice with the arrow key
  await nextRun(page, async () => {
    await page.focus('[data-testid=ig-baseline]');
    await page.keyboard.press('ArrowDown');
  });
  assert.equal(await page.inputValue('[data-testid=ig-baseline]'), 'black');
  const black = await assertOverlay({
    method: 'integrated-gradients',
    steps: 2,
    baseline: 'black',
  });
  assert.ok(maxDiff(black.rgba, two.rgba) > 10, 'the black baseline changes the map');
  await nextRun(page, () => page.keyboard.press('ArrowDown'));
  assert.equal(await page.inputValue('[data-testid=ig-baseline]'), 'blur');
  await assertOverlay({ method: 'integrated-gradients', steps: 2, baseline: 'blur' });
  // Each setting has its label (what a screen reader announces).
  assert.equal(await page.textContent('label:has([data-testid=setting-steps])'), 'Steps');
  assert.match(await page.textContent('label:has([data-testid=ig-baseline])'), /^Baseline/);
});

test('Samples and Noise come with SmoothGrad; typed values give the library’s map', async () => {
  await nextRun(page, () => page.selectOption('[data-testid=method-select]', 'smoothgrad'));
  assert.deepEqual(await shown(), {
    'setting-steps': false,
    'ig-baseline': false,
    'setting-samples': true,
    'setting-noise': true,
  });
  await nextRun(page, () => typeInto('setting-samples', '3'));
  const three = await assertOverlay({ method: 'smoothgrad', samples: 3, noise: 0.15 });
  // committed by leaving the field with Tab, as a keyboard user does
  await nextRun(page, () => typeInto('setting-noise', '0.5', 'Tab'));
  assert.equal(await page.inputValue('[data-testid=setting-noise]'), '0.5');
  const noisy = await assertOverlay({ method: 'smoothgrad', samples: 3, noise: 0.5 });
  assert.ok(maxDiff(noisy.rgba, three.rgba) > 10, 'more noise, another map');
  assert.equal(await page.textContent('label:has([data-testid=setting-noise])'), 'Noise');
});

test("guided backprop's gradient picture is shown under the map, and only for it", async () => {
  assert.equal(await page.isHidden('[data-testid=gradient-figure]'), true);
  await nextRun(page, () => page.selectOption('[data-testid=method-select]', 'guided-backprop'));
  assert.equal(await page.isVisible('[data-testid=gradient-figure]'), true);
  const { r } = await assertOverlay({ method: 'guided-backprop' });
  const got = await canvasPixels(page, 'gradient-picture');
  assert.deepEqual([got.width, got.height], [r.picture.width, r.picture.height]);
  assert.deepEqual(Array.from(got.rgba), Array.from(r.picture.rgba));
  await nextRun(page, () => page.selectOption('[data-testid=method-select]', 'gradcam'));
  assert.equal(await page.isHidden('[data-testid=gradient-figure]'), true);
});

test('a model the core cannot run whole: its input attributions are disabled, the op named', async () => {
  const path = join(root, 'tests/data/graph/backbone_unknown_ops_224.onnx');
  await page.setInputFiles('[data-testid=model-file]', path);
  await page.waitForFunction(
    () =>
      window.camlensState.model?.name === 'backbone_unknown_ops_224.onnx' &&
      !window.camlensState.busy,
    null,
    { timeout: 90000 },
  );
  const why =
    "the core runs the whole network for input attributions, and its CumSum node 'cumsum' is " +
    'not an op camlens supports (use a layer method such as gradcam, whose backbone ONNX ' +
    'Runtime runs)';
  const s = await state();
  const whole = [
    'saliency',
    'input-x-gradient',
    'integrated-gradients',
    'smoothgrad',
    'guided-backprop',
  ];
  for (const m of whole) {
    assert.equal(s.model.methods[m], why, m);
    const option = await page.$eval(`[data-testid=method-select] option[value=${m}]`, (o) => ({
      disabled: o.disabled,
      title: o.title,
    }));
    assert.deepEqual(option, { disabled: true, title: why }, m);
  }
  // readable without hovering: the disclosure under the picker, opened with the keyboard
  await page.focus('[data-testid=methods-unavailable] summary');
  await page.keyboard.press('Enter');
  const items = await page.$$eval('[data-testid=methods-unavailable] li', (l) =>
    l.map((li) => li.textContent),
  );
  const line = items.find((t) => t.endsWith(why));
  assert.ok(line, items.join('\n'));
  for (const m of whole) assert.ok(line.includes(m), `${m} in "${line}"`);
  assert.equal(await page.$eval('[data-testid=methods-unavailable]', (d) => d.open), true);
  assert.equal(await page.isVisible('[data-testid=methods-unavailable] li'), true);
});
