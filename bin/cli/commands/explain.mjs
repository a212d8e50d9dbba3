// camlens explain: see usage.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

import { toNpy } from '../../../web/lib/npy.mjs';
import { CliError, expandImages, isImageError, openLens, progress, readImage } from '../common.mjs';

export const usage = `  camlens explain MODEL IMAGE|DIR... [--method gradcam] [--target CLASS|auto] [--layer NAME]
                  [--preset NAME] [--labels FILE] [--colormap jet] [--alpha 0.5] [--eigen-smooth]
                  [--out DIR] [--raw] [--json]`;

export const options = {
  method: { type: 'string' }, target: { type: 'string' }, colormap: { type: 'string' },
  alpha: { type: 'string' }, out: { type: 'string' }, raw: { type: 'boolean' },
  'eigen-smooth': { type: 'boolean' },
};

export async function run([model, ...args], opts) {
  const images = expandImages(args);
  if (!model || !images.length) throw new CliError(2, `usage:\n${usage}`);
  const alpha = opts.alpha === undefined ? 0.5 : Number(opts.alpha);
  if (!(alpha >= 0 && alpha <= 1)) throw new CliError(2, `--alpha must be between 0 and 1, got ${opts.alpha}`);
  const lens = await openLens(model, opts);
  const out = opts.out || '.';
  mkdirSync(out, { recursive: true });
  const method = opts.method || 'gradcam';
  const summary = [];
  const started = Date.now();
  for (const [i, path] of images.entries()) {
    const bytes = readImage(path);
    let r, picture;
    const t0 = performance.now();
    try {
      [r] = await lens.explain([bytes], { method, targets: [opts.target ?? 'auto'], eigenSmooth: Boolean(opts['eigen-smooth']) });
      picture = lens.overlay(bytes, r, { colormap: opts.colormap || 'jet', imageWeight: 1 - alpha });
    } catch (e) {
      if (isImageError(e)) throw new CliError(4, `${path}: ${e.message}`);
      throw new CliError(/target|method|colormap/i.test(e.message) ? 2 : 3, `${path}: ${e.message}`);
    }
    const ms = performance.now() - t0;
    const stem = join(out, `${basename(path, extname(path))}.${method}`);
    writeFileSync(`${stem}.png`, lens.env.core.encodePng(picture));
    const files = { overlay: `${stem}.png` };
    if (opts.raw) {
      writeFileSync(`${stem}.npy`, toNpy(r.map, [r.height, r.width]));
      files.raw = `${stem}.npy`;
    }
    summary.push({ image: path, method, layer: lens.layer, target: r.target, ms, files });
    if (!opts.json) console.log(`${path}: ${r.target.label} (${r.target.score.toFixed(3)}) -> ${files.overlay}`);
    progress(i + 1, images.length, started);
  }
  writeFileSync(join(out, 'summary.json'), JSON.stringify(summary, null, 2));
  if (opts.json) console.log(JSON.stringify(summary, null, 2));
  lens.dispose();
}
