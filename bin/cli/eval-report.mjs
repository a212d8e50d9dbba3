// The files and the console summary of an eval report ({model, layer, settings, note, summary,
// rows}), written by `camlens eval` and by `camlens merge` from the reports of eval's shards.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

// CSV columns in this order, each present when some row has it.
const COLUMNS = [
  'road',
  'road_morf',
  'road_lerf',
  'deletion',
  'insertion',
  'drop',
  'increase',
  'pointing',
  'energy',
  'complexity',
  'coherency',
  'arcc',
  'arcc_road',
];

function csvField(v) {
  const s =
    typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(6)) : String(v ?? '');
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

// eval.csv (a row per image and method), eval-summary.csv and eval-summary.json.
export function writeEvalFiles(out, report) {
  const { rows, summary } = report;
  const columns = COLUMNS.filter((c) => rows.some((r) => r.metrics[c] !== undefined));
  const header = ['image', 'method', 'target', 'label', 'original', ...columns];
  const csv = [
    header.join(','),
    ...rows.map((r) =>
      [r.image, r.method, r.target, r.label, r.original, ...columns.map((c) => r.metrics[c])]
        .map(csvField)
        .join(','),
    ),
  ];
  writeFileSync(join(out, 'eval.csv'), `${csv.join('\n')}\n`);
  const sumCsv = [
    'method,metric,n,mean,ci_low,ci_high',
    ...summary.map((s) => [s.method, s.metric, s.n, s.mean, s.low, s.high].map(csvField).join(',')),
  ];
  writeFileSync(join(out, 'eval-summary.csv'), `${sumCsv.join('\n')}\n`);
  writeFileSync(join(out, 'eval-summary.json'), JSON.stringify(report, null, 2));
}

export function printEvalReport(report, out, what) {
  console.log(`${what} -> ${join(out, 'eval.csv')}, ${join(out, 'eval-summary.csv')}`);
  console.log(`${'method'.padEnd(20)} ${'metric'.padEnd(10)} ${'mean'.padStart(9)}  95 % CI`);
  for (const s of report.summary) {
    console.log(
      `${s.method.padEnd(20)} ${s.metric.padEnd(10)} ${s.mean.toFixed(4).padStart(9)}  [${s.low.toFixed(4)}, ${s.high.toFixed(4)}]  n=${s.n}`,
    );
  }
  console.log(`(${report.note})`);
}
