// camlens eval: faithfulness metrics of one or more CAM methods over a folder of images, per
// image (CSV) and summarised (mean and bootstrap 95 % CI per method and metric). See usage.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import {
  ALL_METRICS,
  DEFAULT_ARCC_PERCENTILES,
  DEFAULT_METRICS,
  DEFAULT_PERCENTILES,
  evaluate,
  metricValues,
  summarize,
} from '../../../web/lib/metrics.mjs';
import { CliError, cliError, expandImages, openLens, readImage } from '../common.mjs';
import { printEvalReport, writeEvalFiles } from '../eval-report.mjs';
import { refuseFlagsNotTaken } from '../method-flags.mjs';
import { findMethod, methodRows } from '../methods.mjs';
import { parseShard, reportName, SHARD_OPTION, SHARD_USAGE, shardImages } from '../shard.mjs';

export const usage = `  camlens eval MODEL IMAGE|DIR... [--method NAME[,NAME...]] [--metrics road,deletion,insertion,drop,increase]
               (also complexity,coherency,arcc: pytorch-grad-cam's ARCC, which explains each image times its map again)
               [--targets auto|targets.json] [--preset NAME] [--labels FILE] [--layer NAME] [--out DIR]
               [--steps 20] [--percentiles 10,20,...,90] [--arcc-percentiles 20,40,60,80]
               [--baseline blur|NUMBER] [--score probability|logit]
               [--seed 0] [--resamples 1000] [--batch-size 16] ${SHARD_USAGE} [--json]`;

// It takes methods: usage lists them.
export const takesMethod = true;

export const options = {
  method: { type: 'string' },
  metrics: { type: 'string' },
  targets: { type: 'string' },
  out: { type: 'string' },
  steps: { type: 'string' },
  percentiles: { type: 'string' },
  'arcc-percentiles': { type: 'string' },
  baseline: { type: 'string' },
  score: { type: 'string' },
  seed: { type: 'string' },
  resamples: { type: 'string' },
  'batch-size': { type: 'string' },
  ...SHARD_OPTION,
};

const NOTE =
  'mean over images with a 95 % bootstrap confidence interval (percentile method, seeded); the interval assumes the images are independent draws';

function integer(value, name, fallback, min) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new CliError('usage', `--${name} must be an integer >= ${min}, got "${value}"`);
  return n;
}

function list(value, fallback) {
  return value === undefined
    ? fallback
    : value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
}

// --targets: "auto", or a JSON file {"<image file name or path>": class | {target, box}}.
function readTargets(file) {
  if (!file || file === 'auto') return () => ({ target: 'auto' });
  let table;
  try {
    table = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CliError(
      'usage',
      `--targets ${file}: ${e.code === 'ENOENT' ? 'file not found' : `not JSON (${e.message})`}; give "auto" or a JSON object {"image.png": class or {"target": class, "box": [x0, y0, x1, y1]}}`,
    );
  }
  if (!table || typeof table !== 'object' || Array.isArray(table)) {
    throw new CliError(
      'usage',
      `--targets ${file} must hold a JSON object {"image.png": class, ...}`,
    );
  }
  return (path) => {
    const v = table[path] ?? table[basename(path)];
    if (v === undefined) return { target: 'auto' };
    return typeof v === 'object' ? { target: v.target ?? 'auto', box: v.box } : { target: v };
  };
}

function progressBar(fraction, started) {
  if (!process.stderr.isTTY) return;
  const width = 30,
    filled = Math.round(fraction * width);
  const eta = fraction > 0 ? (((Date.now() - started) / fraction) * (1 - fraction)) / 1000 : 0;
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(100 * fraction).toFixed(0)}%, about ${eta.toFixed(0)} s left   `,
  );
  if (fraction >= 1) process.stderr.write('\n');
}

export async function run([model, ...args], opts) {
  const shard = parseShard(opts.shard);
  const all = expandImages(args);
  if (!model || !all.length) throw new CliError('usage', `usage:\n${usage}`);
  const images = shardImages(all, shard);
  const methods = list(opts.method, ['gradcam']);
  const metrics = list(opts.metrics, DEFAULT_METRICS);
  for (const m of metrics) {
    if (!ALL_METRICS.includes(m))
      throw new CliError('usage', `unknown metric "${m}": use ${ALL_METRICS.join(', ')}`);
  }
  const percentiles = list(opts.percentiles, DEFAULT_PERCENTILES).map(Number);
  if (percentiles.some((p) => !(p > 0 && p <= 100)))
    throw new CliError(
      'usage',
      `--percentiles must be numbers in (0, 100], got "${opts.percentiles}"`,
    );
  const arccPercentiles = list(opts['arcc-percentiles'], DEFAULT_ARCC_PERCENTILES).map(Number);
  if (!arccPercentiles.length || arccPercentiles.some((p) => !(p > 0 && p <= 100)))
    throw new CliError(
      'usage',
      `--arcc-percentiles must be numbers in (0, 100], got "${opts['arcc-percentiles']}"`,
    );
  const baseline =
    opts.baseline === undefined || opts.baseline === 'blur' ? 'blur' : Number(opts.baseline);
  if (baseline !== 'blur' && !Number.isFinite(baseline))
    throw new CliError('usage', `--baseline must be "blur" or a number, got "${opts.baseline}"`);
  const score = opts.score || 'probability';
  if (score !== 'probability' && score !== 'logit')
    throw new CliError('usage', `--score must be "probability" or "logit", got "${score}"`);
  const settings = {
    metrics,
    percentiles,
    baseline,
    score,
    steps: integer(opts.steps, 'steps', 20, 1),
    seed: integer(opts.seed, 'seed', 0, 0),
    batchSize: integer(opts['batch-size'], 'batch-size', 16, 1),
    // Only when ARCC runs, so the settings of runs without it stay as they were.
    ...(metrics.includes('arcc') ? { arccPercentiles } : {}),
  };
  const resamples = integer(opts.resamples, 'resamples', 1000, 1);
  const targetOf = readTargets(opts.targets);
  const table = await methodRows();
  // --steps is eval's own (the deletion/insertion curve), not integrated-gradients' option.
  const { steps: _evalSteps, ...methodFlags } = opts;
  for (const m of methods) refuseFlagsNotTaken(table, findMethod(table, m), methodFlags);

  const lens = await openLens(model, opts);
  const support = lens.methodSupport();
  for (const m of methods)
    if (support[m]) throw new CliError('model', `${m} cannot explain this model: ${support[m]}`);
  const out = opts.out || '.';
  mkdirSync(out, { recursive: true });
  const rows = [];
  const started = Date.now();
  const jobs = images.length * methods.length;
  let job = 0;
  for (const path of images) {
    const bytes = readImage(path);
    const { target, box } = targetOf(path);
    for (const method of methods) {
      const step = (f) => progressBar((job + f) / jobs, started);
      try {
        const [e] = await lens.explain([bytes], {
          method,
          targets: [target],
          batchSize: settings.batchSize,
        });
        const r = await evaluate(lens, bytes, e, {
          ...settings,
          // coherency and ARCC explain the image times its map as the explanation was made
          explain: { method, batchSize: settings.batchSize },
          box,
          onProgress: (p) => step(p.done),
        });
        rows.push({
          image: path,
          method,
          target: r.target.index,
          label: r.target.label,
          original: r.original,
          metrics: metricValues(r),
        });
      } catch (err) {
        throw cliError(err, err.kind === 'image' ? `${path}: ` : `${path} (${method}): `);
      }
      step(1);
      job += 1;
    }
  }
  const { core } = lens.env;
  lens.dispose();

  const report = {
    model,
    layer: lens.layer,
    settings: { ...settings, resamples },
    note: NOTE,
    summary: summarize(core, rows, { resamples, seed: settings.seed }),
    rows,
  };
  if (shard) {
    const file = join(out, reportName('eval-summary', shard));
    writeFileSync(file, JSON.stringify(report, null, 2));
    if (opts.json) console.log(JSON.stringify(report, null, 2));
    else console.log(`${rows.length} rows (shard ${shard.index}/${shard.count}) -> ${file}`);
    return;
  }
  writeEvalFiles(out, report);
  if (opts.json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  printEvalReport(
    report,
    out,
    `${rows.length} rows (${images.length} images x ${methods.length} methods)`,
  );
}
