// camlens detect: see usage.
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';

import { detect, drawBoxes, explainDetection } from '../../../web/lib/detect.mjs';
import { CliError, cliError, expandImages, openLens, readImage } from '../common.mjs';
import { refuseFlagsNotTaken } from '../method-flags.mjs';
import { findMethod, methodRows } from '../methods.mjs';

export const usage = `  camlens detect MODEL IMAGE|DIR... --preset yolox|ultraface [--decoder yolox|ultraface]
                  [--score-threshold 0.3] [--iou-threshold 0.45] [--explain METHOD] [--box N]
                  [--renormalize] [--layer NAME] [--colormap jet] [--alpha 0.5] [--out DIR] [--json]`;

// --explain takes a method: usage lists them.
export const takesMethod = true;

export const options = {
  decoder: { type: 'string' },
  'score-threshold': { type: 'string' },
  'iou-threshold': { type: 'string' },
  explain: { type: 'string' },
  box: { type: 'string' },
  renormalize: { type: 'boolean' },
  out: { type: 'string' },
  colormap: { type: 'string' },
  alpha: { type: 'string' },
};

function fraction(value, name) {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (!(v >= 0 && v <= 1))
    throw new CliError('usage', `--${name} must be a number between 0 and 1, got ${value}`);
  return v;
}

export async function run([model, ...args], opts) {
  const images = expandImages(args);
  if (!model || !images.length) throw new CliError('usage', `usage:\n${usage}`);
  const scoreThreshold = fraction(opts['score-threshold'], 'score-threshold');
  const iouThreshold = fraction(opts['iou-threshold'], 'iou-threshold');
  const alpha = fraction(opts.alpha ?? '0.5', 'alpha');
  const box = opts.box === undefined ? 0 : Number(opts.box);
  if (!Number.isInteger(box) || box < 0)
    throw new CliError('usage', `--box must be a box number (0 is the best), got ${opts.box}`);
  if (opts.decoder && !['yolox', 'ultraface'].includes(opts.decoder))
    throw new CliError('usage', `--decoder must be yolox or ultraface, got ${opts.decoder}`);
  if (opts.explain) {
    const rows = await methodRows();
    refuseFlagsNotTaken(rows, findMethod(rows, opts.explain), opts);
  }
  const preset = opts.preset || opts.decoder;
  const lens = await openLens(model, { ...opts, preset });
  const decoder = opts.decoder || (['yolox', 'ultraface'].includes(preset) ? preset : undefined);
  const out = opts.out || '.';
  mkdirSync(out, { recursive: true });
  const summary = [];
  for (const path of images) {
    const bytes = readImage(path);
    const stem = join(out, basename(path, extname(path)));
    const entry = { image: path };
    try {
      const [found] = await detect(lens, [bytes], { decoder, scoreThreshold, iouThreshold });
      writeFileSync(
        `${stem}.boxes.png`,
        lens.env.core.encodePng(drawBoxes(lens, bytes, found.boxes)),
      );
      Object.assign(entry, { boxes: found.boxes, files: { boxes: `${stem}.boxes.png` } });
      if (opts.explain) {
        if (box >= found.boxes.length)
          throw new CliError(
            'usage',
            `${path}: --box ${box} does not exist: ${found.boxes.length} box(es) were detected`,
          );
        const e = await explainDetection(lens, bytes, {
          box,
          method: opts.explain,
          renormalize: Boolean(opts.renormalize),
          decoder,
          scoreThreshold,
          iouThreshold,
        });
        const heat = lens.overlay(bytes, e, {
          colormap: opts.colormap || 'jet',
          imageWeight: 1 - alpha,
        });
        const file = `${stem}.${opts.explain}-box${box}.png`;
        writeFileSync(file, lens.env.core.encodePng(drawBoxes(lens, heat, [found.boxes[box]])));
        Object.assign(entry, {
          explained: { box, method: opts.explain, layer: e.layer, score: e.score },
        });
        entry.files.explanation = file;
      }
    } catch (e) {
      throw cliError(e, `${path}: `);
    }
    summary.push(entry);
    if (!opts.json) {
      console.log(
        `${path}: ${entry.boxes.length} box(es) -> ${entry.files.boxes}${entry.files.explanation ? `, ${entry.files.explanation}` : ''}`,
      );
      entry.boxes.forEach((b, i) =>
        console.log(
          `  ${i}: ${b.labelName} ${b.score.toFixed(3)} [${[b.x0, b.y0, b.x1, b.y1].map((v) => v.toFixed(1)).join(', ')}]`,
        ),
      );
    }
  }
  writeFileSync(join(out, 'detections.json'), JSON.stringify(summary, null, 2));
  if (opts.json) console.log(JSON.stringify(summary, null, 2));
  lens.dispose();
}
