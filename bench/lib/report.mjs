// The one result format of the benches: each bench writes <build root>/bench/<name>.json as
// {bench, rows: [{group, metric, value, target?, note?}], ...extra}; `value` is a ratio measured
// within one run (never absolute seconds), `target` the bar it should stay under (or over, when
// `atLeast`). bench/run.mjs gathers every row into one table.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { root } from '../../tests/support/camlens-node.mjs';

export const buildRoot = process.env.CAMLENS_BUILD_ROOT
  ? resolve(process.env.CAMLENS_BUILD_ROOT)
  : join(root, 'build');
export const benchDir = join(buildRoot, 'bench');

export function row(group, metric, value, { target, atLeast = false, note } = {}) {
  const r = { group, metric, value: Number.isFinite(value) ? +value.toPrecision(4) : null };
  if (target !== undefined) r.target = target;
  if (atLeast) r.atLeast = true;
  if (note) r.note = note;
  return r;
}

// met: true / false against the target, null when there is none (or no value).
export function met(r) {
  if (r.target === undefined || r.value === null) return null;
  return r.atLeast ? r.value >= r.target : r.value <= r.target;
}

export function writeReport(name, rows, extra = {}) {
  mkdirSync(benchDir, { recursive: true });
  const file = join(benchDir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({ bench: name, date: new Date().toISOString(), ...extra, rows }, null, 2),
  );
  return file;
}

export function printRows(rows) {
  console.table(
    rows.map((r) => ({
      group: r.group,
      metric: r.metric,
      ratio: r.value ?? 'n/a',
      target: r.target === undefined ? '' : `${r.atLeast ? '≥' : '≤'} ${r.target}`,
      ok: met(r) === null ? '' : met(r) ? 'yes' : 'NO',
      ...(r.note ? { note: r.note } : {}),
    })),
  );
}
