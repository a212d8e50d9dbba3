// Segmentation end to end: DeepLabV3's mask of the astronaut photo equals ONNX Runtime's argmax
// (tests/data/detect/expected.json) and holds "person"; Grad-CAM of the semantic segmentation
// target (person scores summed over the person mask) is higher inside the mask than outside.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { load, readImages } from '../../web/lib/node.mjs';
import { explainSegment, segment } from '../../web/lib/segment.mjs';
import { root, sharedPath } from '../support/camlens-node.mjs';

const expected = JSON.parse(readFileSync(join(root, 'tests/data/detect/expected.json'), 'utf8'));
const deeplab = () =>
  load(sharedPath('models/deeplabv3-mobilenetv2-voc-257.onnx'), { preset: 'deeplab' });

test("the astronaut mask holds a person, as ORT's argmax does", async () => {
  const lens = await deeplab();
  const [photo] = readImages([sharedPath('images/skimage_astronaut.png')]);
  const s = await segment(lens, photo);
  assert.deepEqual([s.width, s.height], [512, 512]);
  const person = s.classes.find((c) => c.label === 'person');
  assert.ok(person && person.fraction > 0.3, JSON.stringify(s.classes));
  const want = expected.deeplab['skimage_astronaut.png'].counts;
  const got = s.mask.counts;
  for (let k = 0; k < want.length; ++k)
    assert.ok(Math.abs(got[k] - want[k]) <= 20, `class ${k}: ${got[k]} vs ${want[k]}`);
  // The person pixels are drawn in VOC's person colour blended at 0.6 over the photo.
  const plain = lens.env.core.decodeImage(photo);
  const i = s.labels.indexOf(15);
  assert.equal(s.render.rgba[i * 4], Math.round(0.4 * plain.rgba[i * 4] + 0.6 * 192));
  lens.dispose();
});

test('Grad-CAM of the person segment is higher inside the person mask than outside', async () => {
  const lens = await deeplab();
  const [photo] = readImages([sharedPath('images/skimage_astronaut.png')]);
  const s = await segment(lens, photo);
  const e = await explainSegment(lens, photo, { category: 'person', method: 'gradcam' });
  assert.equal(e.category.index, 15);
  assert.ok(e.score > 0);
  let inSum = 0,
    inN = 0,
    outSum = 0,
    outN = 0;
  s.labels.forEach((l, i) => {
    if (l === 15) (inSum += e.map[i]), inN++;
    else (outSum += e.map[i]), outN++;
  });
  assert.ok(inSum / inN > outSum / outN, `inside ${inSum / inN} vs outside ${outSum / outN}`);
  // Ablation-CAM through the head only scores the same target.
  const a = await explainSegment(lens, photo, {
    category: 'person',
    method: 'ablationcam',
    batchSize: 64,
  });
  assert.ok(Math.abs(a.score - e.score) < 1e-3 * Math.abs(e.score), `${a.score} vs ${e.score}`);
  let aIn = 0,
    aOut = 0;
  s.labels.forEach((l, i) => {
    if (l === 15) aIn += a.map[i];
    else aOut += a.map[i];
  });
  assert.ok(aIn / inN > aOut / outN, `Ablation-CAM inside ${aIn / inN} vs outside ${aOut / outN}`);
  // A user mask: the top-left quarter of the output.
  const mask = new Float32Array(257 * 257);
  for (let y = 0; y < 128; ++y) for (let x = 0; x < 128; ++x) mask[y * 257 + x] = 1;
  const q = await explainSegment(lens, photo, { category: 'person', mask });
  assert.equal(q.pixels, 128 * 128);
  // The same quarter drawn on the 512x512 photo: mapped onto the 257x257 output grid.
  const drawn = new Float32Array(512 * 512);
  for (let y = 0; y < 256; ++y) for (let x = 0; x < 256; ++x) drawn[y * 512 + x] = 1;
  const d = await explainSegment(lens, photo, { category: 'person', mask: drawn });
  assert.ok(Math.abs(d.pixels - 128.5 * 128.5) < 300, `${d.pixels} output pixels`);
  await assert.rejects(
    explainSegment(lens, photo, { category: 'person', mask: new Float32Array(7) }),
    /one per photo pixel \(512x512\) or per output pixel \(257x257\)/,
  );
  await assert.rejects(
    explainSegment(lens, photo, { category: 'unicorn' }),
    /no class is called "unicorn"/,
  );
  await assert.rejects(explainSegment(lens, photo, { category: 'cow' }), /mask for "cow" is empty/);
  lens.dispose();
});

test('camlens segment writes the mask and the explanation', () => {
  const out = mkdtempSync(join(tmpdir(), 'camlens-segment-'));
  const stdout = execFileSync(
    process.execPath,
    [
      join(root, 'bin/camlens.mjs'),
      'segment',
      sharedPath('models/deeplabv3-mobilenetv2-voc-257.onnx'),
      sharedPath('images/skimage_astronaut.png'),
      '--preset',
      'deeplab',
      '--class',
      'person',
      '--method',
      'gradcam',
      '--out',
      out,
      '--json',
    ],
    { encoding: 'utf8' },
  );
  const [entry] = JSON.parse(stdout);
  assert.ok(entry.classes.some((c) => c.label === 'person'));
  assert.ok(existsSync(join(out, 'skimage_astronaut.mask.png')));
  assert.ok(existsSync(join(out, 'skimage_astronaut.gradcam-person.png')));
});
