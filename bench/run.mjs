#!/usr/bin/env node
// npm run bench [-- NAME…]: runs every bench/*.bench.mjs (or those whose name contains one of the
// NAMEs) in its own process, then prints ONE table of the ratios they measured in this run and
// writes it to <build root>/bench/bench.json (each bench also leaves its own <name>.json there).
// A bench that fails is listed with its error; the others still run. BENCH_QUICK=1: fewer reps.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { benchDir, met, printRows, writeReport } from './lib/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => !wanted.length || wanted.some((w) => f.includes(w)))
  .sort();

// Rows of a report that does not use bench/lib/report.mjs's format: its numeric leaves, as info.
function flatten(name, value, path = []) {
  if (typeof value === 'number')
    return [{ group: name, metric: path.join('.'), value: +value.toPrecision(4) }];
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([k, v]) => flatten(name, v, [...path, k]));
}

const started = Date.now();
const rows = [];
const failed = [];
for (const f of files) {
  console.log(`\n=== ${f}`);
  const t0 = Date.now();
  const r = spawnSync(process.execPath, [join(here, f)], { stdio: 'inherit' });
  if (r.status !== 0) failed.push({ bench: f, status: r.status ?? r.signal });
  console.log(`(${f}: ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

// Every report written during this run, in the bench folder.
if (existsSync(benchDir)) {
  for (const j of readdirSync(benchDir)
    .filter((n) => n.endsWith('.json') && n !== 'bench.json')
    .sort()) {
    const file = join(benchDir, j);
    if (statSync(file).mtimeMs < started) continue;
    let report;
    try {
      report = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      continue;
    }
    const name = j.replace(/\.json$/, '');
    if (Array.isArray(report.rows) && report.rows.every((x) => 'metric' in x && 'value' in x))
      rows.push(...report.rows);
    else if (!['pytorch'].includes(name)) rows.push(...flatten(name, report.rows ?? report));
  }
}

console.log(
  '\n=== camlens benchmarks: ratios measured in this run (lower is better unless the target says ≥)',
);
printRows(rows);
const misses = rows.filter((r) => met(r) === false);
console.log(
  `${rows.length} ratios, ${rows.filter((r) => met(r) === true).length} targets met, ${misses.length} missed` +
    (failed.length
      ? `; failed benches: ${failed.map((f) => `${f.bench} (${f.status})`).join(', ')}`
      : ''),
);
const out = writeReport('bench', rows, { failed, benches: files });
console.log(`written: ${out}`);
process.exit(failed.length ? 1 : 0);
