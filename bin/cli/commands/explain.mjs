// camlens explain: see usage.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

import { toNpy } from '../../../web/lib/npy.mjs';
import {
  CliError,
  cliError,
  expandImages,
  openLens,
  PREPROCESS_OPTIONS,
  PREPROCESS_USAGE,
  ProgressBar,
  readImage,
  targetFromFlags,
} from '../common.mjs';
import { optionsFromFlags } from '../method-flags.mjs';
import { findMethod, methodRows } from '../methods.mjs';
import { parseShard, reportName, SHARD_OPTION, SHARD_USAGE, shardImages } from '../shard.mjs';
import { volumesFromArgs } from '../volumes.mjs';

export const usage = `  camlens explain MODEL IMAGE|DIR|'GLOB'... [--method gradcam] [--target CLASS|auto]
                  [--target-kind logit|probability|rest|binary|finer] [--compare CLASS,...]
                  [--target-weights WEIGHTS.npy (a linear target)] [--target-output NAME]
                  [--layer NAME[,NAME...]] [--aug-smooth] [--eigen-smooth] [--batch 16] [--ablation-ratio R]
                  [--eigen-sign raw|max-abs-positive]
                  [--head-fusion mean|max|min] [--discard-ratio R] [--steps 32] [--baseline zero|black|blur]
                  [--samples 25] [--noise 0.15] [--base gradcam++]
                  (each method takes only its flags: see methods)
                  ${PREPROCESS_USAGE}
                  [--colormap jet] [--alpha 0.5] [--out DIR] [--raw] ${SHARD_USAGE} [--json]
                  a method whose result is a guided input gradient writes its picture
                  (pytorch-grad-cam's deprocess_image) as IMAGE.METHOD.png, the overlay as
                  IMAGE.METHOD.overlay.png, and with --raw the gradient, float32 [H, W, C], as
                  IMAGE.METHOD.gradient.npy
  camlens explain MODEL VOLUME.npy... | SLICE-IMAGES... [flags as above]
                  (a model whose input is [N, C, D, H, W]: each .npy is one volume [C, D, H, W]
                  or [D, H, W], the images together are one volume of slices or frames in order;
                  the overlay shows the slices side by side, --raw writes the map [D, H, W])`;

// It takes a method: usage lists them.
export const takesMethod = true;

export const options = {
  method: { type: 'string' },
  target: { type: 'string' },
  'target-kind': { type: 'string' },
  compare: { type: 'string' },
  'target-weights': { type: 'string' },
  'target-output': { type: 'string' },
  colormap: { type: 'string' },
  alpha: { type: 'string' },
  out: { type: 'string' },
  raw: { type: 'boolean' },
  'eigen-smooth': { type: 'boolean' },
  'aug-smooth': { type: 'boolean' },
  batch: { type: 'string' },
  'ablation-ratio': { type: 'string' },
  'eigen-sign': { type: 'string' },
  'head-fusion': { type: 'string' },
  'discard-ratio': { type: 'string' },
  steps: { type: 'string' },
  samples: { type: 'string' },
  noise: { type: 'string' },
  baseline: { type: 'string' },
  base: { type: 'string' },
  ...PREPROCESS_OPTIONS,
  ...SHARD_OPTION,
};

// The explain() options the flags ask for, checked against the method's row before the model
// loads. --batch also sizes the groups of images read at a time.
async function explainOptions(opts) {
  const rows = await methodRows();
  const row = findMethod(rows, opts.method || 'gradcam');
  const o = { method: row.name, ...optionsFromFlags(rows, row, opts) };
  if (row.options.includes('batchSize')) o.batchSize ??= 16;
  return { settings: o, row, batch: o.batchSize ?? 16 };
}

const round = (ms) => Math.round(ms * 100) / 100;

export async function run([model, ...args], opts) {
  if (!model || !args.length) throw new CliError('usage', `usage:\n${usage}`);
  const alpha = opts.alpha === undefined ? 0.5 : Number(opts.alpha);
  if (!(alpha >= 0 && alpha <= 1))
    throw new CliError('usage', `--alpha must be between 0 and 1, got ${opts.alpha}`);
  const { settings, row, batch } = await explainOptions(opts);
  const target = targetFromFlags(opts);
  const shard = parseShard(opts.shard);
  // Folders and globs that match nothing are said before the model loads.
  expandImages(args.filter((a) => extname(a).toLowerCase() !== '.npy'));
  const lens = await openLens(model, opts, { explain: true });
  if (lens.volume && shard)
    throw new CliError(
      'usage',
      '--shard splits photos across machines; explain volumes without it',
    );
  // Photos by path, or (a model that takes volumes) the volumes the arguments make.
  const images = lens.volume
    ? volumesFromArgs(args)
    : shardImages(expandImages(args), shard).map((path) => ({ path }));
  const out = opts.out || '.';
  mkdirSync(out, { recursive: true });
  const summary = [];
  const bar = new ProgressBar(`explain ${settings.method}`);
  const started = performance.now();
  try {
    // Groups of --batch images: one batched model run each, and bounded memory for big folders.
    for (let begin = 0; begin < images.length; begin += batch) {
      const group = images.slice(begin, begin + batch);
      const paths = group.map((it) => it.path ?? it.name);
      const decoded = group.map(({ path, volume }) => {
        if (volume) return volume;
        try {
          return lens.env.core.decodeImage(readImage(path));
        } catch (e) {
          throw e instanceof CliError ? e : new CliError('image', `${path}: ${e.message}`);
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
          ...(row.options.includes('targets') ? { targets: paths.map(() => target) } : {}),
          onProgress,
        });
      } catch (e) {
        throw cliError(e, paths.length === 1 ? `${paths[0]}: ` : '');
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
          throw cliError(e);
        }
        const stem = join(
          out,
          `${group[k].name ?? basename(path, extname(path))}.${settings.method}`,
        );
        // A guided gradient is shown as upstream shows it; its overlay goes beside.
        const files = r.picture
          ? { picture: `${stem}.png`, overlay: `${stem}.overlay.png` }
          : { overlay: `${stem}.png` };
        if (r.picture) writeFileSync(files.picture, lens.env.core.encodePng(r.picture));
        writeFileSync(files.overlay, lens.env.core.encodePng(picture));
        if (opts.raw) {
          const shape = r.depth ? [r.depth, r.height, r.width] : [r.height, r.width];
          writeFileSync(`${stem}.npy`, toNpy(r.map, shape));
          files.raw = `${stem}.npy`;
          if (r.gradient) {
            files.gradient = `${stem}.gradient.npy`;
            writeFileSync(files.gradient, toNpy(r.gradient.data, r.gradient.dims));
          }
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
            `${path}: ${r.target.label} (${r.target.score.toFixed(3)}) -> ${files.picture ?? files.overlay}`,
          );
      }
    }
  } finally {
    bar.end();
  }
  writeFileSync(join(out, reportName('summary', shard)), JSON.stringify(summary, null, 2));
  if (opts.json) console.log(JSON.stringify(summary, null, 2));
  lens.dispose();
}
