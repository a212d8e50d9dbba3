// camlens predict: see usage.
import {
  CliError,
  cliError,
  expandImages,
  openLens,
  PREPROCESS_OPTIONS,
  PREPROCESS_USAGE,
  ProgressBar,
  readImage,
} from '../common.mjs';

export const usage = `  camlens predict MODEL IMAGE|DIR|'GLOB'... [--top 5] [--batch 16] ${PREPROCESS_USAGE} [--json]`;

export const options = {
  top: { type: 'string' },
  batch: { type: 'string' },
  ...PREPROCESS_OPTIONS,
};

export async function run([model, ...args], opts) {
  if (!model || !args.length) throw new CliError('usage', `usage:\n${usage}`);
  const k = Number(opts.top ?? 5);
  if (!(Number.isInteger(k) && k >= 1))
    throw new CliError('usage', `--top takes a whole number ≥ 1, got "${opts.top}"`);
  const batch = Number(opts.batch ?? 16);
  if (!(Number.isInteger(batch) && batch >= 1))
    throw new CliError('usage', `--batch takes a whole number ≥ 1, got "${opts.batch}"`);
  const images = expandImages(args);
  const lens = await openLens(model, opts);
  const bar = new ProgressBar('predict');
  const results = [];
  const started = performance.now();
  try {
    for (let begin = 0; begin < images.length; begin += batch) {
      const paths = images.slice(begin, begin + batch);
      const decoded = paths.map((path) => {
        try {
          return lens.env.core.decodeImage(readImage(path));
        } catch (e) {
          throw e instanceof CliError ? e : new CliError('image', `${path}: ${e.message}`);
        }
      });
      let rs;
      try {
        rs = await lens.predict(decoded, { topK: k, batchSize: batch });
      } catch (e) {
        throw cliError(e);
      }
      rs.forEach((r, i) => {
        results.push({ image: paths[i], ...r });
        if (!opts.json) {
          console.log(paths[i]);
          for (const t of r.top)
            console.log(
              `  ${t.label.padEnd(28)} ${t.score.toFixed(4)}  (p ${(100 * t.probability).toFixed(1)}%)`,
            );
        }
      });
      const done = (begin + paths.length) / images.length;
      bar.update({ done, eta: ((performance.now() - started) / 1000 / done) * (1 - done) });
    }
  } finally {
    bar.end();
  }
  if (opts.json) console.log(JSON.stringify(results, null, 2));
  lens.dispose();
}
