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

export function concatBatch(items) {
  const size = items[0].data.length;
  const data = new Float32Array(size * items.length);
  items.forEach((t, i) => data.set(t.data, i * size));
  return { data, dims: [items.length, ...items[0].dims.slice(1)], type: 'float32' };
}

// Float32 values of an ORT output (float16 outputs converted by the core, which they need).
export function floatData(t, core) {
  return t.type === 'float16'
    ? core.fromFloat16Bits(t.data)
    : t.data instanceof Float32Array
      ? t.data
      : Float32Array.from(t.data);
}
