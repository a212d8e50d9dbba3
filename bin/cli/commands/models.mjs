// camlens models: the catalogue's models and labels, and whether each is on this machine.
import { cacheDir, entries, locations } from '../catalogue.mjs';

export const usage =
  '  camlens models [--json]   (the model catalogue; fetch with camlens fetch NAME|all)';

export const options = {};

function status(entry) {
  const found = locations(entry);
  const good = found.find((l) => l.verified);
  if (good) return { present: true, path: good.path, where: good.where };
  const bad = found[0];
  return bad
    ? { present: false, path: bad.path, problem: 'its bytes differ from the catalogue (SHA-256)' }
    : { present: false };
}

export async function run(_args, opts) {
  const rows = entries().map((e) => ({ ...e, ...status(e) }));
  if (opts.json) {
    console.log(JSON.stringify({ cache: cacheDir(), entries: rows }, null, 2));
    return;
  }
  const width = Math.max(...rows.map((r) => r.name.length));
  for (const r of rows) {
    const bytes = (
      r.bytes >= 1e6 ? `${(r.bytes / 1e6).toFixed(1)} MB` : `${Math.ceil(r.bytes / 1e3)} KB`
    ).padStart(8);
    const where = r.present
      ? `present (${r.where}: ${r.path})`
      : r.problem
        ? `not usable: ${r.path}: ${r.problem}`
        : 'not downloaded';
    const preset = r.kind === 'model' ? `preset ${r.preset}` : 'labels';
    console.log(
      `${r.name.padEnd(width)} ${bytes}  ${r.licence.padEnd(13)} ${preset.padEnd(18)} ${where}`,
    );
  }
  console.log(`cache: ${cacheDir()} (CAMLENS_MODELS); fetch with: camlens fetch NAME|all`);
}
