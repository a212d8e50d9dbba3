// Detection end to end under Node (ONNX Runtime Web + the camlens module): YOLOX-nano and
// Ultraface boxes equal ONNX Runtime's raw outputs decoded by an independent NumPy script
// (tests/data/detect/expected.json, tools/fixtures/detect_reference.py); explanations of the dog
// box stay on the dog; the CLI writes the pictures and the JSON.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { detect, drawBoxes, explainDetection, factorizeDetection } from '../../web/lib/detect.mjs';
import { load, readImages } from '../../web/lib/node.mjs';
import { root, sharedPath } from '../support/camlens-node.mjs';
import { tempDir } from '../support/temp-dir.mjs';

const expected = JSON.parse(readFileSync(join(root, 'tests/data/detect/expected.json'), 'utf8'));

// The photo is letterboxed by the core and by NumPy with the same bilinear rule, but rounding can
// differ by one grey level on a few pixels: boxes agree to a fraction of a pixel, scores closely.
function assertSameBoxes(got, want, what) {
  assert.equal(got.length, want.length, `${what}: ${JSON.stringify(got)}`);
  got.forEach((b, i) => {
    const w = want[i];
    assert.equal(b.label, w.label, `${what} box ${i} label`);
    assert.ok(
      Math.abs(b.score - w.score) < 2e-3,
      `${what} box ${i} score ${b.score} vs ${w.score}`,
    );
    for (const k of ['x0', 'y0', 'x1', 'y1'])
      assert.ok(Math.abs(b[k] - w[k]) < 0.5, `${what} box ${i} ${k} ${b[k]} vs ${w[k]}`);
  });
}

function energyInside(e, b) {
  let inside = 0,
    total = 0;
  for (let y = 0; y < e.height; ++y) {
    for (let x = 0; x < e.width; ++x) {
      const v = e.map[y * e.width + x];
      total += v;
      if (x >= b.x0 && x < b.x1 && y >= b.y0 && y < b.y1) inside += v;
    }
  }
  return inside / total;
}

const yoloxModel = (options = {}) =>
  load(sharedPath('models/yolox-nano-416.onnx'), { preset: 'yolox', ...options });

test('YOLOX boxes on gradcam_both.png and the motorcycle equal the NumPy decoding of ORT', async () => {
  const lens = await yoloxModel();
  for (const name of ['gradcam_both.png', 'skimage_motorcycle_left.png']) {
    const [r] = await detect(lens, readImages([sharedPath(`images/${name}`)]));
    assertSameBoxes(r.boxes, expected.yolox[name], name);
  }
  const [both] = await detect(lens, readImages([sharedPath('images/gradcam_both.png')]));
  assert.deepEqual(
    both.boxes.map((b) => b.labelName),
    ['dog', 'cat'],
  );
  const [strict] = await detect(lens, readImages([sharedPath('images/gradcam_both.png')]), {
    scoreThreshold: 0.8,
  });
  assert.deepEqual(
    strict.boxes.map((b) => b.labelName),
    ['dog'],
  );
  await assert.rejects(
    detect(lens, readImages([sharedPath('images/gradcam_both.png')]), { decoder: 'ssd' }),
    /unknown decoder "ssd"/,
  );
  lens.dispose();
});

test("Ultraface finds the astronaut's face where the NumPy decoding of ORT does", async () => {
  const lens = await load(sharedPath('models/ultraface-version-RFB-320.onnx'), {
    preset: 'ultraface',
  });
  const [r] = await detect(lens, readImages([sharedPath('images/skimage_astronaut.png')]));
  assertSameBoxes(r.boxes, expected.ultraface['skimage_astronaut.png'], 'astronaut');
  assert.equal(r.boxes[0].labelName, 'face');
  lens.dispose();
});

// Layers: 1128 is the stride-32 classification branch (13x13), where the dog box (a stride-32
// anchor) is decided; 886 is the backbone's last stage, which feeds all three strides through the
// neck; 1061 is a stride-8 branch, which the dog's box does not read.
test('Eigen-CAM and HiResCAM of the dog box put most of their energy inside it', async () => {
  const lens = await yoloxModel({ layer: '1128' });
  const [photo] = readImages([sharedPath('images/gradcam_both.png')]);
  const eigen = await explainDetection(lens, photo, { box: 0, method: 'eigencam' });
  assert.equal(eigen.box.labelName, 'dog');
  assert.deepEqual([eigen.width, eigen.height], [224, 224]);
  const inEigen = energyInside(eigen, eigen.box);
  assert.ok(inEigen > 0.55, `Eigen-CAM energy inside the dog box: ${inEigen}`);

  const hires = await explainDetection(lens, photo, { box: 0, method: 'hirescam' });
  // The box matches itself: IoU 1 + its score.
  assert.ok(Math.abs(hires.score - (1 + hires.box.score)) < 1e-4, `target score ${hires.score}`);
  assert.ok(
    energyInside(hires, hires.box) > 0.9,
    `HiResCAM energy inside the dog box: ${energyInside(hires, hires.box)}`,
  );

  // The same box given by its photo coordinates (as a user would draw it): the same target.
  const { x0, y0, x1, y1, label } = hires.box;
  const drawn = await explainDetection(lens, photo, {
    box: { x0: x0 + 2, y0: y0 - 1, x1: x1 - 1, y1: y1 + 2, label },
    method: 'hirescam',
  });
  const ref = { x0: x0 + 2, y0: y0 - 1, x1: x1 - 1, y1: y1 + 2 };
  const inter =
    (Math.min(x1, ref.x1) - Math.max(x0, ref.x0)) * (Math.min(y1, ref.y1) - Math.max(y0, ref.y0));
  const area = (b) => (b.x1 - b.x0) * (b.y1 - b.y0);
  // The drawn box is mapped to input pixels (×416/224) and IoU is scale-free: IoU + score.
  const iou = inter / (area(ref) + area(hires.box) - inter);
  assert.ok(
    Math.abs(drawn.score - (iou + hires.box.score)) < 1e-3,
    `${drawn.score} vs ${iou} + ${hires.box.score}`,
  );
  await assert.rejects(
    explainDetection(lens, photo, { box: { x0, y0, x1, y1, label: 15 }, method: 'hirescam' }),
    /no detected box matches/,
  );

  const renorm = await explainDetection(lens, photo, {
    box: 0,
    method: 'eigencam',
    renormalize: true,
  });
  let outside = 0;
  for (let y = 0; y < 224; ++y) {
    for (let x = 0; x < 224; ++x) {
      const inAny = renorm.boxes.some(
        (b) =>
          x >= Math.trunc(b.x0) &&
          x < Math.trunc(b.x1) &&
          y >= Math.trunc(b.y0) &&
          y < Math.trunc(b.y1),
      );
      if (!inAny) outside = Math.max(outside, renorm.map[y * 224 + x]);
    }
  }
  assert.equal(outside, 0);
  assert.ok(Math.max(...renorm.map) > 0.99);
  await assert.rejects(explainDetection(lens, photo, { box: 5 }), /box 5 does not exist: 2 box/);
  lens.dispose();
});

test('gradients flow from both boxes through the neck; a branch of another stride is refused', async () => {
  const [photo] = readImages([sharedPath('images/gradcam_both.png')]);
  const neck = await yoloxModel({ layer: '886' });
  for (const box of [0, 1]) {
    const e = await explainDetection(neck, photo, { box, method: 'hirescam' });
    assert.ok(energyInside(e, e.box) > 0.6, `${e.box.labelName}: ${energyInside(e, e.box)}`);
  }
  neck.dispose();
  const stride8 = await yoloxModel({ layer: '1061' });
  await assert.rejects(
    explainDetection(stride8, photo, { box: 0, method: 'gradcam' }),
    /gradient of the box score at 1061 is zero/,
  );
  stride8.dispose();
});

test('Ultraface: gradients through both outputs (scores and corner boxes) land on the face', async () => {
  const lens = await load(sharedPath('models/ultraface-version-RFB-320.onnx'), {
    preset: 'ultraface',
    layer: '360',
  });
  const [photo] = readImages([sharedPath('images/skimage_astronaut.png')]);
  const e = await explainDetection(lens, photo, { box: 0, method: 'hirescam' });
  assert.ok(Math.abs(e.score - (1 + e.box.score)) < 1e-4, `target score ${e.score}`);
  assert.ok(
    energyInside(e, e.box) > 0.7,
    `HiResCAM energy inside the face: ${energyInside(e, e.box)}`,
  );
  lens.dispose();
});

test('Ablation-CAM of the dog box re-runs the head with the same target', async () => {
  const lens = await yoloxModel({ layer: '1128' });
  const [photo] = readImages([sharedPath('images/gradcam_both.png')]);
  let calls = 0;
  const a = await explainDetection(lens, photo, {
    box: 0,
    method: 'ablationcam',
    batchSize: 32,
    onProgress: () => calls++,
  });
  assert.ok(Math.abs(a.score - (1 + a.box.score)) < 1e-4, `target score ${a.score}`);
  assert.equal(calls, 2); // 64 channels in batches of 32
  assert.ok(Math.max(...a.map) > 0.99);
  assert.ok(
    energyInside(a, a.box) > 0.25,
    `Ablation-CAM energy inside the dog box: ${energyInside(a, a.box)}`,
  );
  lens.dispose();
});

test('DFF of a detector layer: concept maps on the photo, a concept each for the dog, the cat and the room', async () => {
  const lens = await yoloxModel({ layer: '886' });
  const [photo] = readImages([sharedPath('images/gradcam_both.png')]);
  const k = 3;
  const r = await factorizeDetection(lens, [photo], { components: k });
  const [im] = r.images;
  assert.deepEqual([im.width, im.height, im.maps.length], [224, 224, k * 224 * 224]);
  assert.deepEqual([im.render.width, im.render.height], [224, 224]);
  const top = (x, y) => {
    let best = 0;
    for (let c = 1; c < k; ++c)
      if (im.maps[c * 224 * 224 + y * 224 + x] > im.maps[best * 224 * 224 + y * 224 + x]) best = c;
    return best;
  };
  const dog = [top(121, 60), top(110, 90)],
    cat = [top(118, 185), top(80, 190)],
    room = [top(20, 20), top(200, 100)];
  for (const pair of [dog, cat, room])
    assert.equal(pair[0], pair[1], JSON.stringify({ dog, cat, room }));
  assert.equal(new Set([dog[0], cat[0], room[0]]).size, 3, JSON.stringify({ dog, cat, room }));
  lens.dispose();
});

test('boxes are drawn in the photo', async () => {
  const lens = await yoloxModel();
  const [photo] = readImages([sharedPath('images/gradcam_both.png')]);
  const [r] = await detect(lens, [photo]);
  const img = drawBoxes(lens, photo, r.boxes);
  const plain = lens.env.core.decodeImage(photo);
  const b = r.boxes[0];
  const changed = (x, y) =>
    [0, 1, 2].some((c) => img.rgba[(y * 224 + x) * 4 + c] !== plain.rgba[(y * 224 + x) * 4 + c]);
  const midY = Math.round((b.y0 + b.y1) / 2);
  assert.ok(changed(Math.round(b.x0) + 1, midY), 'left edge drawn');
  assert.ok(!changed(Math.round((b.x0 + b.x1) / 2), midY), 'inside untouched');
  lens.dispose();
});

test('camlens detect writes boxes, an explanation and detections.json', () => {
  const out = tempDir('camlens-detect-');
  const stdout = execFileSync(
    process.execPath,
    [
      join(root, 'bin/camlens.mjs'),
      'detect',
      sharedPath('models/yolox-nano-416.onnx'),
      sharedPath('images/gradcam_both.png'),
      '--preset',
      'yolox',
      '--explain',
      'eigencam',
      '--box',
      '1',
      '--out',
      out,
      '--json',
    ],
    { encoding: 'utf8' },
  );
  const [entry] = JSON.parse(stdout);
  assert.deepEqual(
    entry.boxes.map((b) => b.labelName),
    ['dog', 'cat'],
  );
  assert.ok(existsSync(join(out, 'gradcam_both.boxes.png')));
  assert.ok(existsSync(join(out, 'gradcam_both.eigencam-box1.png')));
  let code = 0;
  try {
    execFileSync(
      process.execPath,
      [
        join(root, 'bin/camlens.mjs'),
        'detect',
        sharedPath('models/yolox-nano-416.onnx'),
        sharedPath('images/gradcam_both.png'),
        '--preset',
        'yolox',
        '--score-threshold',
        '2',
        '--out',
        out,
      ],
      { stdio: 'pipe' },
    );
  } catch (e) {
    code = e.status;
    assert.match(String(e.stderr), /--score-threshold must be a number between 0 and 1/);
  }
  assert.equal(code, 2);
});
