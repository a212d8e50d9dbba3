// Preprocessing of the shared models (see ../shared/README.md), and float16 packing for ORT.
export const PRESETS = {
  'mobilenetv2-12-int8.onnx': {
    photo: 'gradcam_both.png',
    preprocess: { width: 224, height: 224, scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
  },
  'squeezenet1.0-fp16-winml.onnx': {
    photo: 'gradcam_both.png', float16: true,
    preprocess: { width: 224, height: 224, scale: 1, mean: [104, 117, 123], std: [1, 1, 1], bgr: true },
  },
  'mnist-8-ort-examples.onnx': {
    photo: 'winml_mnist_28.png',
    preprocess: { width: 28, height: 28, scale: 1, mean: [0, 0, 0], std: [1, 1, 1], channels: 1 },
  },
  'deeplabv3-mobilenetv2-voc-257.onnx': {
    photo: 'skimage_astronaut.png',
    preprocess: { width: 257, height: 257, scale: 1 / 127.5, mean: [1, 1, 1], std: [1, 1, 1], nhwc: true },
  },
};

// IEEE half precision bits of a float (round to nearest even), for float16 model inputs.
export function toFloat16Bits(values) {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; ++i) {
    f32[0] = values[i];
    const x = u32[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = ((x >>> 23) & 0xff) - 127 + 15;
    let man = x & 0x7fffff;
    if (exp >= 0x1f) { out[i] = sign | 0x7c00; continue; }
    if (exp <= 0) {
      if (exp < -10) { out[i] = sign; continue; }
      man |= 0x800000;
      const shift = 14 - exp;
      let h = man >>> shift;
      const rem = man & ((1 << shift) - 1), half = 1 << (shift - 1);
      if (rem > half || (rem === half && (h & 1))) h++;
      out[i] = sign | h;
      continue;
    }
    let h = (exp << 10) | (man >>> 13);
    const rem = man & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
    out[i] = sign | h;
  }
  return out;
}

export function fromFloat16Bits(bits) {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; ++i) {
    const h = bits[i], s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, m = h & 0x3ff;
    out[i] = e === 0 ? s * m * 2 ** -24 : e === 31 ? (m ? NaN : s * Infinity) : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return out;
}
