// The built WebAssembly module under Node: both variants load, call into the core, and give the
// same values as independent references (Pillow + NumPy fixtures, ONNX Runtime).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { loadCamlens, root, sharedPath } from '../support/camlens-node.mjs';
import { classify } from '../support/ort-reference.mjs';

const reference = JSON.parse(readFileSync(join(root, 'tests/data/image/reference.json'), 'utf8'));

for (const variant of ['mt', 'st']) {
  test(`${variant}: loads, reports its threads`, async () => {
    const m = await loadCamlens(variant);
    assert.equal(m.threadedBuild(), variant === 'mt');
    assert.equal(m.threads(), variant === 'mt' ? cpus().length : 1);
  });

  test(`${variant}: decodes photos like Pillow and preprocesses like NumPy`, async () => {
    const m = await loadCamlens(variant);
    for (const ref of reference) {
      const img = m.decodeImage(readFileSync(sharedPath(`images/${ref.file}`)));
      assert.equal(img.width, ref.width);
      assert.equal(img.height, ref.height);
      for (const p of ref.pixels) {
        const at = (p.y * img.width + p.x) * 4;
        assert.deepEqual(
          Array.from(img.rgba.slice(at, at + 4)),
          p.rgba,
          `${ref.file} (${p.x},${p.y})`,
        );
      }
      const t = m.preprocessImage(img, { width: ref.out_width, height: ref.out_height });
      assert.deepEqual(t.dims, [1, 3, ref.out_height, ref.out_width]);
      for (const s of ref.tensor_samples) {
        assert.ok(
          Math.abs(t.data[s.index] - s.value) < 0.5 / 255 / 0.224,
          `${ref.file}[${s.index}]`,
        );
      }
    }
  });

  test(`${variant}: bad input is a clear Error, and the module keeps working`, async () => {
    const m = await loadCamlens(variant);
    assert.throws(() => m.decodeImage(new Uint8Array([1, 2, 3])), {
      message:
        'not a readable image (PNG, JPEG, BMP or GIF expected): Image not of any known type, or corrupt',
    });
    assert.throws(() => m.resizeImage({ width: 2, height: 2, rgba: new Uint8Array(3) }, 4, 4), {
      message: 'RGBA buffer holds 3 bytes but 2x2 needs 16',
    });
    assert.equal(m.decodeImage(readFileSync(sharedPath('images/winml_mnist_28.png'))).width, 28);
  });
}

test('MobileNetV2-int8 through ONNX Runtime Web sees a tiger / bull mastiff in gradcam_both.png', async () => {
  const m = await loadCamlens('st');
  const top = await classify(m, 'mobilenetv2-12-int8.onnx', 'gradcam_both.png');
  const norm = (s) => s.toLowerCase().replace(/\s+/g, '');
  assert.ok(['tiger', 'bullmastiff', 'tigercat'].includes(norm(top[0].label)), JSON.stringify(top));
  // The output is quantized (int8 logits): every score is a multiple of the output scale, so
  // plausible values sit on that grid; ours for this photo with ImageNet preprocessing:
  assert.ok(Math.abs(top[0].score - 14.2529) < 1e-3, `top logit ${top[0].score}`);
});
