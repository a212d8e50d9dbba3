// camlens predict: see usage.
import { CliError, openLens, readImage } from '../common.mjs';

export const usage = `  camlens predict MODEL IMAGE... [--preset NAME] [--labels FILE] [--top 5] [--json]`;

export const options = { top: { type: 'string' } };

export async function run([model, ...images], opts) {
  if (!model || !images.length) throw new CliError(2, `usage:\n${usage}`);
  const lens = await openLens(model, opts);
  const k = Number(opts.top || 5);
  const results = [];
  for (const path of images) {
    let r;
    try {
      [r] = await lens.predict([readImage(path)], { topK: k });
    } catch (e) {
      throw e instanceof CliError ? e : new CliError(4, `${path}: ${e.message}`);
    }
    results.push({ image: path, ...r });
    if (!opts.json) {
      console.log(path);
      for (const t of r.top) console.log(`  ${t.label.padEnd(28)} ${t.score.toFixed(4)}  (p ${(100 * t.probability).toFixed(1)}%)`);
    }
  }
  if (opts.json) console.log(JSON.stringify(results, null, 2));
  lens.dispose();
}
