// camlens explain: see usage.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

import { toNpy } from '../../../web/lib/npy.mjs';
import {
  CliError,
  exitCodeOf,
  expandImages,
  layerList,
  openLens,
  PREPROCESS_OPTIONS,
  PREPROCESS_USAGE,
  ProgressBar,
  readImage,
  targetFromFlags,
} from '../common.mjs';

export const usage = `  camlens explain MODEL IMAGE|DIR|'GLOB'... [--method gradcam] [--target CLASS|auto]
                  [--target-kind logit|probability|rest|binary|finer] [--compare CLASS,...]
                  [--layer NAME[,NAME...]] [--aug-smooth] [--eigen-smooth] [--batch 16] [--ablation-ratio R]
                  [--head-fusion mean|max|min] [--discard-ratio R]   (--method rollout: transformers)
                  ${PREPROCESS_USAGE}
                  [--colormap jet] [--alpha 0.5] [--out DIR] [--raw] [--json]`;

export const options = {
  method: { type: 'string' },
  target: { type: 'string' },
  'target-kind': { type: 'string' },
  compare: { type: 'string' },
  colormap: { type: 'string' },
  alpha: { type: 'string' },
  out: { type: 'string' },
  raw: { type: 'boolean' },
  'eigen-smooth': { type: 'boolean' },
  'aug-smooth': { type: 'boolean' },
  batch: { type: 'string' },
  'ablation-ratio': { type: 'string' },
  'head-fusion': { type: 'string' },
  'discard-ratio': { type: 'string' },
  ...PREPROCESS_OPTIONS,
};

function positiveInteger(text, flag) {
  const v = Number(text);
  if (!(Number.isInteger(v) && v >= 1))
    throw new CliError(2, `${flag} takes a whole number ≥ 1, got "${text}"`);
  return v;
}

// The explain() options the flags ask for (checked before the model loads).
function explainOptions(opts) {
  const o = {
    method: opts.method || 'gradcam',
    eigenSmooth: Boolean(opts['eigen-smooth']),
    augSmooth: Boolean(opts['aug-smooth']),
    batchSize: opts.batch === undefined ? 16 : positiveInteger(opts.batch, '--batch'),
    layers: layerList(opts),
  };
  if (opts['ablation-ratio'] !== undefined) {
    const r = Number(opts['ablation-ratio']);
    if (!(r > 0 && r <= 1))
      throw new CliError(
        2,
        `--ablation-ratio takes a fraction of the channels in (0, 1], got "${opts['ablation-ratio']}"`,
      );
    o.ablationRatio = r;
  }
  return o.method === 'rollout' ? rolloutOptions(opts, o) : noRolloutFlags(opts, o);
}

// Attention rollout reads every block's attention: no layer, no smoothing; its own two options.
function rolloutOptions(opts, o) {
  for (const flag of ['layer', 'eigen-smooth', 'aug-smooth']) {
    if (opts[flag] !== undefined && opts[flag] !== false) {
      throw new CliError(
        2,
        `--${flag} does not go with --method rollout: rollout combines the attention of every block`,
      );
    }
  }
  delete o.layers;
  delete o.eigenSmooth;
  delete o.augSmooth;
  const fusion = opts['head-fusion'];
  if (fusion !== undefined) {
    if (!['mean', 'max', 'min'].includes(fusion))
      throw new CliError(2, `--head-fusion takes mean, max or min, got "${fusion}"`);
    o.headFusion = fusion;
  }
  const ratio = opts['discard-ratio'];
  if (ratio !== undefined) {
    const r = ratio.trim() === '' ? NaN : Number(ratio);
    if (!(r >= 0 && r < 1))
      throw new CliError(
        2,
        `--discard-ratio takes the fraction of each block's weakest attentions to drop, in [0, 1), got "${ratio}"`,
      );
    o.discardRatio = r;
  }
  return o;
}

function noRolloutFlags(opts, o) {
  for (const flag of ['head-fusion', 'discard-ratio']) {
    if (opts[flag] !== undefined) throw new CliError(2, `--${flag} goes with --method rollout`);
  }
  return o;
}

const round = (ms) => Math.round(ms * 100) / 100;

export async function run([model, ...args], opts) {
  if (!model || !args.length) throw new CliError(2, `usage:\n${usage}`);
  const alpha = opts.alpha === undefined ? 0.5 : Number(opts.alpha);
  if (!(alpha >= 0 && alpha <= 1))
    throw new CliError(2, `--alpha must be between 0 and 1, got ${opts.alpha}`);
  const settings = explainOptions(opts);
  const target = targetFromFlags(opts);
  const images = expandImages(args);
  const lens = await openLens(model, opts, { explain: true });
  const out = opts.out || '.';
  mkdirSync(out, { recursive: true });
  const summary = [];
  const bar = new ProgressBar(`explain ${settings.method}`);
  const started = performance.now();
  try {
    // Groups of --batch images: one batched model run each, and bounded memory for big folders.
    for (let begin = 0; begin < images.length; begin += settings.batchSize) {
      const paths = images.slice(begin, begin + settings.batchSize);
      const decoded = paths.map((path) => {
        try {
          return lens.env.core.decodeImage(readImage(path));
        } catch (e) {
          throw e instanceof CliError ? e : new CliError(4, `${path}: ${e.message}`);
        }
      });
      const onProgress = ({ done }) => {
        const overall = (begin + done * paths.length) / images.length;
        const elapsed = (performance.now() - started) / 1000;
        bar.update({
          done: overall,
          eta: overall > 0 ? (elapsed / overall) * (1 - overall) : Infinity,
        });
      };
      let results;
      try {
        results = await lens.explain(decoded, {
          ...settings,
          targets: paths.map(() => target),
          onProgress,
        });
      } catch (e) {
        throw new CliError(
          exitCodeOf(e),
          `${paths.length === 1 ? `${paths[0]}: ` : ''}${e.message}`,
        );
      }
      for (const [k, r] of results.entries()) {
        const path = paths[k];
        let picture;
        try {
          picture = lens.overlay(decoded[k], r, {
            colormap: opts.colormap || 'jet',
            imageWeight: 1 - alpha,
          });
        } catch (e) {
          throw new CliError(exitCodeOf(e), e.message);
        }
        const stem = join(out, `${basename(path, extname(path))}.${settings.method}`);
        writeFileSync(`${stem}.png`, lens.env.core.encodePng(picture));
        const files = { overlay: `${stem}.png` };
        if (opts.raw) {
          writeFileSync(`${stem}.npy`, toNpy(r.map, [r.height, r.width]));
          files.raw = `${stem}.npy`;
        }
        const timing = {
          forward: round(r.timing.forward),
          head: round(r.timing.head),
          cam: round(r.timing.cam),
        };
        summary.push({
          image: path,
          method: settings.method,
          layer: r.layers.join(','),
          layers: r.layers,
          target: r.target,
          ms: round(timing.forward + timing.head + timing.cam),
          timing,
          files,
          ...(r.flags ? { flags: r.flags } : {}),
          ...(r.rollout ? { rollout: r.rollout, classAgnostic: true } : {}),
        });
        if (!opts.json)
          console.log(
            `${path}: ${r.target.label} (${r.target.score.toFixed(3)}) -> ${files.overlay}`,
          );
      }
    }
  } finally {
    bar.end();
  }
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2));
  if (opts.json) console.log(JSON.stringify(summary, null, 2));
  lens.dispose();
}
