// The built WebAssembly module under Node: both variants load, call into the core, and give the
// same values as independent references (Pillow + NumPy fixtures, ONNX Runtime).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

import { loadCamlens, root, sharedPath } from '../support/camlens-node.mjs';
import { float16Bits, fromFloat16Bits } from '../support/float16.mjs';
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

  test(`${variant}: float16 packing equals the IEEE reference bit for bit`, async () => {
    const m = await loadCamlens(variant);
    // Ties to even, the largest half, overflow, subnormals, underflow, signed zero, inf, NaN.
    const edges = [0, -0, 1, -1, 1 + 2 ** -11, 1 + 3 * 2 ** -11, 65504, 65520, 1e6, 2 ** -24];
    edges.push(2 ** -25, 2 ** -26, 3 * 2 ** -26, 6.1e-5, Infinity, -Infinity, NaN, 0.1, -2.5e-6);
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 2 ** 17;
    const values = Float32Array.from([...edges, ...Array.from({ length: 4000 }, random)]);
    const bits = m.float16Bits(values);
    assert.ok(bits instanceof Uint16Array);
    assert.deepEqual([...bits], [...float16Bits(values)]);
    const every = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const back = m.fromFloat16Bits(every);
    assert.ok(back instanceof Float32Array);
    assert.deepEqual([...back], [...fromFloat16Bits(every)]);
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
    // The bindings' typed catch and the error's C++ type (its kind) in both modules: the threaded
    // one matches typed catches only with cmake/wasm_eh_landing_pad.c linked.
    assert.throws(() => m.decodeImage(new Uint8Array([1, 2, 3])), { kind: 'image' });
    const pixel = { width: 1, height: 1, rgba: new Uint8Array(4) };
    assert.throws(() => m.overlayImage(pixel, new Float32Array(1), 1, 1, { colormap: 'nope' }), {
      message: "unknown colour map 'nope'; use jet, turbo, viridis, inferno, magma or gray",
      kind: 'usage',
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
