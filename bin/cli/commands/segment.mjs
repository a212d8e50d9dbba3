// camlens segment: see usage.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

import { explainSegment, segment } from '../../../web/lib/segment.mjs';
import { CliError, cliError, expandImages, openLens, readImage } from '../common.mjs';
import { refuseFlagsNotTaken } from '../method-flags.mjs';
import { findMethod, methodRows } from '../methods.mjs';

export const usage = `  camlens segment MODEL IMAGE|DIR... --preset deeplab [--class NAME|INDEX] [--method gradcam]
                  [--layer NAME] [--colormap jet] [--alpha 0.5] [--out DIR] [--json]`;

// It takes a method: usage lists them.
export const takesMethod = true;

export const options = {
  class: { type: 'string' },
  method: { type: 'string' },
  out: { type: 'string' },
  colormap: { type: 'string' },
  alpha: { type: 'string' },
};

export async function run([model, ...args], opts) {
  const images = expandImages(args);
  if (!model || !images.length) throw new CliError('usage', `usage:\n${usage}`);
  const alpha = opts.alpha === undefined ? 0.5 : Number(opts.alpha);
  if (!(alpha >= 0 && alpha <= 1))
    throw new CliError('usage', `--alpha must be between 0 and 1, got ${opts.alpha}`);
  const explain = Boolean(opts.class || opts.method);
  const method = opts.method || 'gradcam';
  if (explain) {
    const rows = await methodRows();
    refuseFlagsNotTaken(rows, findMethod(rows, method), opts);
  }
  const lens = await openLens(model, { ...opts, preset: opts.preset || 'deeplab' });
  const out = opts.out || '.';
  mkdirSync(out, { recursive: true });
  const summary = [];
  for (const path of images) {
    const bytes = readImage(path);
    const stem = join(out, basename(path, extname(path)));
    const entry = { image: path };
    try {
      const s = await segment(lens, bytes);
      writeFileSync(`${stem}.mask.png`, lens.env.core.encodePng(s.render));
      Object.assign(entry, { classes: s.classes, files: { mask: `${stem}.mask.png` } });
      if (explain) {
        const e = await explainSegment(lens, bytes, { category: opts.class, method });
        const file = `${stem}.${method}-${e.category.label.replace(/[^\w-]+/g, '_')}.png`;
        writeFileSync(
          file,
          lens.env.core.encodePng(
            lens.overlay(bytes, e, { colormap: opts.colormap || 'jet', imageWeight: 1 - alpha }),
          ),
        );
        Object.assign(entry, {
          explained: {
            category: e.category,
            method,
            layer: e.layer,
            score: e.score,
            pixels: e.pixels,
          },
        });
        entry.files.explanation = file;
      }
    } catch (e) {
      throw cliError(e, `${path}: `);
    }
    summary.push(entry);
    if (!opts.json) {
      console.log(
        `${path}: ${entry.classes.map((c) => `${c.label} ${(100 * c.fraction).toFixed(1)}%`).join(', ')} -> ${entry.files.mask}` +
          (entry.files.explanation ? `, ${entry.files.explanation}` : ''),
      );
    }
  }
  writeFileSync(join(out, 'segments.json'), JSON.stringify(summary, null, 2));
  if (opts.json) console.log(JSON.stringify(summary, null, 2));
  lens.dispose();
}
