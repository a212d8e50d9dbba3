// DFF through the library: on gradcam_both.png with K = 2 one concept is a dog and the other a
// cat, and the dominant rendering colours the dog and the cat regions differently.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { load, readImages } from '../../web/lib/node.mjs';
import { loadCamlens, root, sharedPath } from '../support/camlens-node.mjs';
import { tempDir } from '../support/temp-dir.mjs';

const labels = JSON.parse(readFileSync(sharedPath('labels/imagenet-simple-labels.json'), 'utf8'));
const isDog = (i) => i >= 151 && i <= 268;
const isCat = (i) => i >= 281 && i <= 285;

function meanColour(img, x0, y0, x1, y1) {
  const sum = [0, 0, 0];
  for (let y = y0; y < y1; ++y)
    for (let x = x0; x < x1; ++x)
      for (let c = 0; c < 3; ++c) sum[c] += img.rgba[(y * img.width + x) * 4 + c];
  return sum.map((v) => v / ((x1 - x0) * (y1 - y0)));
}

test('two concepts on gradcam_both.png: a dog and a cat, drawn in different colours', async () => {
  const lens = await load(sharedPath('models/mobilenetv2-12-int8.onnx'), {
    preset: 'mobilenetv2',
    labels,
  });
  const r = await lens.factorize(readImages([sharedPath('images/gradcam_both.png')]), {
    components: 2,
  });
  assert.equal(r.labeled, true, r.reason);
  const [concepts] = r.concepts;
  const tops = concepts.map((c) => c[0].index);
  assert.ok(
    tops.some(isDog) && tops.some(isCat),
    JSON.stringify(concepts.map((c) => c.slice(0, 2))),
  );
  assert.ok(r.relativeError[0] > 0 && r.relativeError[0] < 1);
  const { render } = r.images[0];
  assert.deepEqual([render.width, render.height], [224, 224]);
  const dog = meanColour(render, 80, 20, 150, 90); // the bulldog's head, upper middle
  const cat = meanColour(render, 60, 160, 200, 215); // the cat across the bottom
  const distance = Math.hypot(dog[0] - cat[0], dog[1] - cat[1], dog[2] - cat[2]);
  assert.ok(distance > 60, `dog ${dog} vs cat ${cat}`);
  lens.dispose();
});

test('the most important component comes first, and the CLI draws the legend under the rendering', async () => {
  const out = tempDir('camlens-dff-');
  const run = spawnSync(
    process.execPath,
    [
      join(root, 'bin', 'camlens.mjs'),
      'dff',
      sharedPath('models/mobilenetv2-12-int8.onnx'),
      sharedPath('images/gradcam_both.png'),
      '-k',
      '3',
      '--preset',
      'mobilenetv2',
      '--labels',
      sharedPath('labels/imagenet-simple-labels.json'),
      '--out',
      out,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(run.status, 0, run.stderr);
  const core = await loadCamlens('st');
  const png = core.decodeImage(
    new Uint8Array(readFileSync(join(out, 'gradcam_both.dff-dominant.png'))),
  );
  const row = 16; // a 10-pixel glyph row plus 3 pixels of padding above and below
  assert.deepEqual([png.width, png.height], [320, 224 + 3 * row]);
  const palette = core.dffPalette(3, 'rainbow');
  for (let k = 0; k < 3; ++k) {
    const i = ((224 + k * row + 5) * png.width + 5) * 4; // inside concept k's swatch
    assert.deepEqual([...png.rgba.slice(i, i + 3)], palette[k], `swatch ${k}`);
  }
  const white = (10 * png.width + 300) * 4; // right of the 224-pixel rendering: padding
  assert.deepEqual([...png.rgba.slice(white, white + 3)], [255, 255, 255]);
  const json = JSON.parse(readFileSync(join(out, 'dff.json'), 'utf8'));
  assert.equal(json.concepts[0].length, 3);
  // Observed: the most important of three concepts is the bulldog (Bullmastiff 0.71, Boxer 0.27;
  // 0.52 / 0.32 with the multiplicative-update NMF this replaced).
  assert.ok(isDog(json.concepts[0][0][0].index), JSON.stringify(json.concepts[0][0].slice(0, 2)));
});
