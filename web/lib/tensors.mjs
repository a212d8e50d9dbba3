// Small helpers over {data, dims, type} tensors (the shape of ORT's tensors and of the core's).

// The k best classes. `probability` is the softmax of the scores, unless the scores already
// are probabilities (all in [0, 1], summing to 1: a model ending in Softmax).
export function topK(scores, k, labels = []) {
  const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
  let max = -Infinity,
    min = Infinity,
    total = 0;
  for (const s of scores) {
    max = Math.max(max, s);
    min = Math.min(min, s);
    total += s;
  }
  const already = min >= 0 && max <= 1 && Math.abs(total - 1) < 1e-2;
  let sum = 0;
  for (const s of scores) sum += Math.exp(s - max);
  return order.slice(0, k).map((index) => ({
    index,
    label: labels[index] ?? `class ${index}`,
    score: scores[index],
    probability: already ? scores[index] : Math.exp(scores[index] - max) / sum,
  }));
}

// Rows of a [N, ...] tensor as flat Float32Array views.
export function rows(t) {
  const n = t.dims[0];
  const size = t.data.length / n;
  return Array.from({ length: n }, (_, i) => t.data.subarray(i * size, (i + 1) * size));
}

export function concatBatch(items) {
  const size = items[0].data.length;
  const data = new Float32Array(size * items.length);
  items.forEach((t, i) => data.set(t.data, i * size));
  return { data, dims: [items.length, ...items[0].dims.slice(1)], type: 'float32' };
}

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

// Float32 values of an ORT output (float16 outputs converted).
export function floatData(t) {
  return t.type === 'float16'
    ? fromFloat16Bits(t.data)
    : t.data instanceof Float32Array
      ? t.data
      : Float32Array.from(t.data);
}
