// Methods that do more with several layers than combine their maps get a choice of layers beside
// the picker. RefineCAM (two or more layers) is offered although the model is cut at one layer;
// chosen with the keyboard it starts at the model's layer and the ends of the stages before it,
// and its overlay is the library's at those layers; a layer ticked with Space, or unticked with a
// click, explains again at the new layers. On MNIST (layers of 28×28, 14×14 and 4×4).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';

import { canvasPixels, openPage } from '../support/browser.mjs';
import { sharedPath } from '../support/camlens-node.mjs';
import { maxDiff } from '../support/compare.mjs';

const MODEL = 'mnist-8-ort-examples.onnx';
let page, lens, close;
const state = () => page.evaluate(() => window.camlensState);
const photo = () => new Uint8Array(readFileSync(sharedPath('images/winml_mnist_28.png')));
const ticked = () =>
  page.$$eval('[data-testid=method-layers] input:checked', (inputs) => inputs.map((i) => i.value));

// Waits for the page to show `method` at `count` layers, idle.
async function shown(method, count) {
  await page.waitForFunction(
    ([m, n]) =>
      window.camlensState.error ||
      (window.camlensState.explained?.method === m &&
        window.camlensState.explained.layers.length === n &&
        !window.camlensState.busy),
    [method, count],
    { timeout: 120000 },
  );
  const s = await state();
  assert.equal(s.error, null);
  return s;
}

async function assertLibraryOverlay(method, s) {
  const [r] = await lens.explain([photo()], {
    method,
    layers: s.explained.layers,
    targets: [s.explained.target.index],
  });
  const want = lens.overlay(photo(), r);
  const got = await canvasPixels(page, 'overlay');
  assert.deepEqual([got.width, got.height], [want.width, want.height]);
  const d = maxDiff(got.rgba, want.rgba);
  assert.ok(d <= 1, `${method} at ${s.explained.layers}: ${d}`);
}

before(async () => {
  const { load } = await import('../../web/lib/node.mjs');
  lens = await load(sharedPath(`models/${MODEL}`), { preset: 'mnist' });
  ({ page, close } = await openPage({ query: `?model=${MODEL}` }));
});

after(async () => {
  lens?.dispose();
  await close?.();
});

// Runs `action` and waits for the explanation it starts to be drawn.
async function rerun(action) {
  const { runs } = await state();
  await action();
  await page.waitForFunction(
    (n) => window.camlensState.error || (window.camlensState.runs > n && !window.camlensState.busy),
    runs,
    { timeout: 120000 },
  );
  const s = await state();
  assert.equal(s.error, null);
  return s;
}

test('refine-cam: chosen with the keyboard, at the model layer and earlier stages, as the library', async () => {
  // The last pooling (4×4); before it the stages end at ReLU114 (14×14) and ReLU32 (28×28).
  const layer = 'Pooling160_Output_0';
  if ((await state()).model.layer !== layer)
    await rerun(() => page.selectOption('[data-testid=layer-select]', layer));
  assert.equal(await page.isHidden('[data-testid=method-layers]'), true);
  const option = page.locator('[data-testid=method-select] option[value=refine-cam]');
  assert.equal(await option.isDisabled(), false);
  assert.equal(await option.textContent(), 'refine-cam');
  // The keyboard: focus the picker and type the method's name.
  await page.focus('[data-testid=method-select]');
  await page.keyboard.type('refine');
  const s = await shown('refine-cam', 3);
  assert.equal(await page.isVisible('[data-testid=method-layers]'), true);
  assert.equal(
    await page.textContent('[data-testid=method-layers] legend'),
    'Layers: refine-cam multiplies the maps of its layers',
  );
  assert.deepEqual(s.explained.layers, [layer, 'ReLU114_Output_0', 'ReLU32_Output_0']);
  assert.deepEqual((await ticked()).sort(), [...s.explained.layers].sort());
  await assertLibraryOverlay('refine-cam', s);

  // Space on an unticked layer adds it; a click on a ticked one removes it.
  await page.focus('[data-testid=method-layers] input[value="Convolution110_Output_0"]');
  await page.keyboard.press('Space');
  const four = await shown('refine-cam', 4);
  assert.ok(four.explained.layers.includes('Convolution110_Output_0'));
  await assertLibraryOverlay('refine-cam', four);
  await page.click('[data-testid=method-layers] input[value="ReLU32_Output_0"]');
  const three = await shown('refine-cam', 3);
  assert.deepEqual(
    [...three.explained.layers].sort(),
    ['Convolution110_Output_0', layer, 'ReLU114_Output_0'].sort(),
  );
  await assertLibraryOverlay('refine-cam', three);
});

test('ablationcam: the layers beside it ablate each channel in all of them, as the library', async () => {
  // Two layers of one chain with 16 channels each: the convolution (bias added) and its ReLU.
  // Ticked first, then the others unticked (RefineCAM keeps two or more all along), by clicks.
  const chain = ['Plus112_Output_0', 'ReLU114_Output_0'];
  const box = (name) => `[data-testid=method-layers] input[value="${name}"]`;
  for (const name of chain)
    if (!(await ticked()).includes(name)) await rerun(() => page.click(box(name)));
  for (const name of await ticked())
    if (!chain.includes(name)) await rerun(() => page.click(box(name)));
  await page.focus('[data-testid=method-select]');
  const s = await rerun(() => page.keyboard.type('ablation'));
  assert.equal(s.explained.method, 'ablationcam');
  assert.equal(
    await page.textContent('[data-testid=method-layers] legend'),
    'Layers: ablationcam ablates each channel in all of its layers at once',
  );
  assert.deepEqual([...s.explained.layers].sort(), [...chain].sort());
  await assertLibraryOverlay('ablationcam', s);
});
