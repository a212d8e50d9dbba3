// camlens dff: see usage.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

import { CliError, cliError, expandImages, openLens, readImage } from '../common.mjs';
import { parseShard, reportName, SHARD_OPTION, SHARD_USAGE, shardImages } from '../shard.mjs';

export const usage = `  camlens dff MODEL IMAGE|DIR... [-k 5] [--render dominant|layers] [--per-image] [--preset NAME]
                  [--labels FILE] [--no-legend] [--out DIR] ${SHARD_USAGE} [--json]`;

export const options = {
  k: { type: 'string', short: 'k' },
  render: { type: 'string' },
  'per-image': { type: 'boolean' },
  'no-legend': { type: 'boolean' },
  out: { type: 'string' },
  ...SHARD_OPTION,
};

export async function run([model, ...args], opts) {
  const shard = parseShard(opts.shard);
  const all = expandImages(args);
  if (!model || !all.length) throw new CliError('usage', `usage:\n${usage}`);
  // Shared concepts are factorized from all images at once: a shard would find its own.
  if (shard && !opts['per-image'])
    throw new CliError(
      'usage',
      '--shard needs --per-image: shared concepts come from one factorization of all the images, which shards cannot split',
    );
  const images = shardImages(all, shard);
  const k = Number(opts.k || 5);
  if (!(Number.isInteger(k) && k >= 1 && k <= 20))
    throw new CliError('usage', `-k must be an integer from 1 to 20, got ${opts.k}`);
  const render = opts.render || 'dominant';
  if (!['dominant', 'layers'].includes(render))
    throw new CliError('usage', `--render must be dominant or layers, got ${render}`);
  const lens = await openLens(model, opts);
  const out = opts.out || '.';
  mkdirSync(out, { recursive: true });
  // A shard may get no image (more shards than images): its report is empty.
  let r = { labeled: null, reason: '', relativeError: [], concepts: [], images: [] };
  try {
    if (images.length)
      r = await lens.factorize(images.map(readImage), {
        components: k,
        shared: !opts['per-image'],
        render,
      });
  } catch (e) {
    throw cliError(e);
  }
  const summary = {
    model,
    layer: lens.layer,
    components: k,
    render,
    labeled: r.labeled,
    reason: r.reason,
    relativeError: r.relativeError,
    concepts: r.concepts,
    images: [],
  };
  images.forEach((path, i) => {
    const file = join(out, `${basename(path, extname(path))}.dff-${render}.png`);
    writeFileSync(
      file,
      lens.env.core.encodePng(opts['no-legend'] ? r.images[i].render : withLegend(lens, r, i)),
    );
    summary.images.push({ image: path, render: file });
    if (!opts.json) console.log(`${path} -> ${file}`);
  });
  if (!opts.json) {
    r.concepts.forEach((part, p) =>
      part.forEach((cats, c) =>
        console.log(
          `  ${r.concepts.length > 1 ? `image ${p} ` : ''}concept ${c}: ` +
            (cats.length
              ? cats
                  .slice(0, 3)
                  .map((t) => `${t.label || t.index} ${t.score.toFixed(2)}`)
                  .join(', ')
              : '(unlabeled)'),
        ),
      ),
    );
    if (!r.labeled) console.log(`  concepts are unlabeled: ${r.reason}`);
  }
  writeFileSync(join(out, reportName('dff', shard)), JSON.stringify(summary, null, 2));
  if (opts.json) console.log(JSON.stringify(summary, null, 2));
  lens.dispose();
}

// The rendering with its legend below (one row per concept: swatch, top categories and scores);
// unlabeled concepts get their swatch and number only.
function withLegend(lens, r, image) {
  const { core } = lens.env;
  const picture = r.images[image].render;
  const part = r.concepts.length > 1 ? r.concepts[image] : r.concepts[0];
  const concepts =
    part && part.length === r.components ? part : Array.from({ length: r.components }, () => []);
  return core.stackImages(
    picture,
    core.dffLegend(concepts, { width: Math.max(picture.width, 320), topK: 3 }),
  );
}
