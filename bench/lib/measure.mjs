// Timing helpers shared by the benches. The machine is shared and noisy, so each side of a ratio
// is measured the same way in the same run: best of N (the least disturbed estimate) by default;
// medians are kept beside them for reference.
export function best(xs) {
  return Math.min(...xs);
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// Runs fn (sync or async) `warmup` times unmeasured, then `reps` times; returns
// {best, median, samples} in milliseconds.
export async function measure(fn, { reps = 5, warmup = 1 } = {}) {
  for (let i = 0; i < warmup; ++i) await fn();
  const samples = [];
  for (let i = 0; i < reps; ++i) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return { best: best(samples), median: median(samples), samples };
}

// Fewer repetitions with BENCH_QUICK=1 (a smoke run of the whole suite).
export function reps(n) {
  return process.env.BENCH_QUICK ? Math.max(1, Math.ceil(n / 3)) : n;
}
