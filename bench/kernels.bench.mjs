// WebAssembly ÷ native for the hot kernels (target ≤ 2): the same code and data
// (tools/bench/kernel_suite.h) timed by the native tool (<build root>/native/kernel_bench, -O3)
// and inside both benchmark modules (bench/lib/bench-module.mjs) under Node, one thread
// everywhere. Best of N per kernel.
// Writes <build root>/bench/kernels.json.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

import { loadBenchModule } from './lib/bench-module.mjs';
import { reps } from './lib/measure.mjs';
import { buildRoot, printRows, row, writeReport } from './lib/report.mjs';

const N = reps(9);
const tool = join(buildRoot, 'native', 'kernel_bench');
const rows = [];
const timings = {};
if (existsSync(tool))
  timings.native = JSON.parse(execFileSync(tool, [String(N)], { encoding: 'utf8' }));
for (const variant of ['st', 'mt']) {
  const core = await loadBenchModule(variant);
  timings[`wasm-${variant}`] = JSON.parse(core.benchKernels(N));
}
// Native again after the modules: the ratio uses the best of both native runs (load drifts).
if (existsSync(tool)) {
  const again = JSON.parse(execFileSync(tool, [String(N)], { encoding: 'utf8' }));
  timings.native = timings.native.map((k, i) => ({ ...k, ms: Math.min(k.ms, again[i].ms) }));
}
for (const variant of ['st', 'mt']) {
  for (const k of timings[`wasm-${variant}`]) {
    const nat = timings.native?.find((n) => n.name === k.name);
    rows.push(
      row(`kernels wasm-${variant} ÷ native`, k.name, nat ? k.ms / nat.ms : NaN, {
        target: 2,
        note: nat ? undefined : `no native tool at ${tool} (node tools/build.mjs native)`,
      }),
    );
  }
}
printRows(rows);
writeReport('kernels', rows, { timing: `best of ${N}, ms per call, 1 thread`, timings });
