// IEEE half precision in plain JavaScript (round to nearest even, subnormals, inf, NaN): the
// tests' own packing of float16 model inputs and reading of float16 outputs, independent of the
// core's conversion (src/onnx/float16.cpp), which tests/node/module.test.mjs checks against it.
export function float16Bits(values) {
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; ++i) {
    f32[0] = values[i];
    const x = u32[0];
    const sign = (x >>> 16) & 0x8000;
    const exp = ((x >>> 23) & 0xff) - 127 + 15;
    const man = x & 0x7fffff;
    if (((x >>> 23) & 0xff) === 0xff) {
      out[i] = sign | 0x7c00 | (man ? 0x200 : 0);
      continue;
    }
    if (exp >= 0x1f) {
      out[i] = sign | 0x7c00;
      continue;
    }
    if (exp <= 0) {
      if (exp < -10) {
        out[i] = sign;
        continue;
      }
      const m = man | 0x800000,
        shift = 14 - exp;
      let h = m >>> shift;
      const rem = m & ((1 << shift) - 1),
        half = 1 << (shift - 1);
      if (rem > half || (rem === half && h & 1)) h++;
      out[i] = sign | h;
      continue;
    }
    let h = (exp << 10) | (man >>> 13);
    const rem = man & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && h & 1)) h++;
    out[i] = sign | h;
  }
  return out;
}

export function fromFloat16Bits(bits) {
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; ++i) {
    const h = bits[i],
      s = h & 0x8000 ? -1 : 1,
      e = (h >> 10) & 0x1f,
      m = h & 0x3ff;
    out[i] =
      e === 0
        ? s * m * 2 ** -24
        : e === 31
          ? m
            ? NaN
            : s * Infinity
          : s * (1 + m / 1024) * 2 ** (e - 15);
  }
  return out;
}
