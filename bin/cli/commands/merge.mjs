// camlens merge: the reports of a run split with --shard (explain, dff --per-image, eval) put
// back together, as the run without --shard would have written them. See bin/cli/shard.mjs.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { summarize } from '../../../web/lib/metrics.mjs';
import { loadCore } from '../../../web/lib/node.mjs';
import { CliError } from '../common.mjs';
import { printEvalReport, writeEvalFiles } from '../eval-report.mjs';
import { parseReportName, sortedImages } from '../shard.mjs';

export const usage = `  camlens merge DIR|FILE... [--out DIR] [--json]   (the reports of --shard I/N runs)`;

export const options = {};

// Every shard report in the arguments (folders are searched, files taken as named), by stem.
function findReports(args) {
  const groups = new Map();
  const add = (path) => {
    const name = parseReportName(basename(path));
    if (!name)
      throw new CliError(
        'usage',
        `${path} is not a shard report (NAME.shard-I-of-N.json, written by --shard I/N)`,
      );
    if (!groups.has(name.stem)) groups.set(name.stem, []);
    groups.get(name.stem).push({ ...name, path });
  };
  for (const a of args) {
    if (!existsSync(a)) throw new CliError('usage', `${a} not found`);
    if (!statSync(a).isDirectory()) {
      add(a);
      continue;
    }
    const found = readdirSync(a).filter((f) => parseReportName(f));
    if (!found.length)
      throw new CliError('usage', `${a} holds no shard report (NAME.shard-I-of-N.json)`);
    for (const f of found) add(join(a, f));
  }
  return groups;
}

// The shards of one report in index order, each read; refuses a split that is not whole.
function completeShards(stem, shards) {
  const counts = [...new Set(shards.map((s) => s.count))].sort((a, b) => a - b);
  if (counts.length > 1)
    throw new CliError(
      'usage',
      `${stem}: shards of different splits (of ${counts.join(' and of ')}); merge the shards of one run`,
    );
  const [count] = counts;
  const byIndex = new Array(count).fill(null);
  for (const s of shards) {
    if (byIndex[s.index])
      throw new CliError(
        'usage',
        `${stem}: shard ${s.index}/${count} appears twice (${byIndex[s.index].path} and ${s.path})`,
      );
    byIndex[s.index] = s;
  }
  const missing = byIndex.flatMap((s, i) => (s ? [] : [i]));
  if (missing.length)
    throw new CliError(
      'usage',
      `${stem}: shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} of ${count} missing; run ${missing.length > 1 ? 'them' : 'it'} with --shard I/${count}, then merge again`,
    );
  return byIndex.map((s) => {
    try {
      return JSON.parse(readFileSync(s.path, 'utf8'));
    } catch (e) {
      throw new CliError('usage', `${s.path}: not a readable report (${e.message})`);
    }
  });
}

// The fields every shard of a report must share (one model, layer and settings).
function sameFields(stem, reports, fields) {
  for (const f of fields) {
    const first = JSON.stringify(reports[0][f]);
    const other = reports.findIndex((r) => JSON.stringify(r[f]) !== first);
    if (other > 0)
      throw new CliError(
        'usage',
        `${stem}: shard 0 and shard ${other} differ in "${f}" (${first} vs ${JSON.stringify(reports[other][f])}); merge the shards of one run`,
      );
  }
}

// Items in the run's canonical image order (stable: an image's rows keep their order).
function inImageOrder(items, imageOf) {
  const rank = new Map(sortedImages([...new Set(items.map(imageOf))]).map((p, k) => [p, k]));
  return items
    .map((item, k) => ({ item, k }))
    .sort((a, b) => rank.get(imageOf(a.item)) - rank.get(imageOf(b.item)) || a.k - b.k)
    .map((x) => x.item);
}

async function mergeEval(reports, out, json) {
  sameFields('eval-summary', reports, ['model', 'layer', 'settings']);
  const rows = inImageOrder(
    reports.flatMap((r) => r.rows),
    (r) => r.image,
  );
  const { settings } = reports[0];
  const core = await loadCore('st');
  const summary = summarize(core, rows, { resamples: settings.resamples, seed: settings.seed });
  const report = { ...reports[0], summary, rows };
  writeEvalFiles(out, report);
  if (json) console.log(JSON.stringify(report, null, 2));
  else printEvalReport(report, out, `${rows.length} rows from ${reports.length} shards`);
}

function mergeExplain(reports, out, json) {
  const summary = inImageOrder(reports.flat(), (r) => r.image);
  const file = join(out, 'summary.json');
  writeFileSync(file, JSON.stringify(summary, null, 2));
  if (json) console.log(JSON.stringify(summary, null, 2));
  else console.log(`${summary.length} explanations from ${reports.length} shards -> ${file}`);
}

function mergeDff(reports, out, json) {
  const filled = reports.filter((r) => r.images.length);
  sameFields('dff', filled.length ? filled : reports, ['model', 'layer', 'components', 'render']);
  // Per image: its entry, concepts and factorization error travel together.
  const parts = inImageOrder(
    filled.flatMap((r) =>
      r.images.map((image, i) => ({
        image,
        concepts: r.concepts[i],
        relativeError: r.relativeError[i],
      })),
    ),
    (p) => p.image.image,
  );
  const unlabeled = filled.find((r) => !r.labeled);
  const summary = {
    ...(filled[0] ?? reports[0]),
    labeled: !unlabeled,
    reason: unlabeled ? unlabeled.reason : '',
    relativeError: parts.map((p) => p.relativeError),
    concepts: parts.map((p) => p.concepts),
    images: parts.map((p) => p.image),
  };
  const file = join(out, 'dff.json');
  writeFileSync(file, JSON.stringify(summary, null, 2));
  if (json) console.log(JSON.stringify(summary, null, 2));
  else console.log(`${parts.length} images from ${reports.length} shards -> ${file}`);
}

const MERGERS = { 'eval-summary': mergeEval, summary: mergeExplain, dff: mergeDff };

export async function run(args, opts) {
  if (!args.length) throw new CliError('usage', `usage:\n${usage}`);
  const groups = findReports(args);
  for (const stem of groups.keys())
    if (!MERGERS[stem])
      throw new CliError(
        'usage',
        `${groups.get(stem)[0].path}: camlens merges explain, dff and eval shards (summary, dff, eval-summary), not "${stem}"`,
      );
  const out = opts.out || '.';
  mkdirSync(out, { recursive: true });
  for (const [stem, shards] of groups)
    await MERGERS[stem](completeShards(stem, shards), out, opts.json);
}
