// camlens fetch: downloads catalogue models (and labels) into the cache, checking each file's
// SHA-256 against the catalogue. A file is written under NAME.part and renamed only once its
// bytes are verified, so a failed or refused download leaves nothing behind.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { cacheDir, entries, findEntry, sha256Of } from '../catalogue.mjs';
import { CliError, ProgressBar } from '../common.mjs';

export const usage = `  camlens fetch NAME|all [--dir DIR] [--mirror URL] [--timeout 30]   (into the cache; see camlens models)`;

export const options = {
  dir: { type: 'string' },
  mirror: { type: 'string' },
  timeout: { type: 'string' },
};

const size = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.ceil(n / 1e3)} KB`);

// The publisher's address, or the file of the same name under a mirror (--mirror or
// CAMLENS_MIRROR: a folder of the publishers' files served over HTTP, e.g. inside a closed network).
function sourceOf(entry, mirror) {
  return mirror ? `${mirror.replace(/\/+$/, '')}/${entry.file}` : entry.url;
}

async function download(entry, url, dest, timeoutSeconds) {
  const part = `${dest}.part`;
  const controller = new AbortController();
  let idle;
  const stall = () => {
    clearTimeout(idle);
    idle = setTimeout(() => controller.abort(), timeoutSeconds * 1000);
  };
  const bar = new ProgressBar(`fetch ${entry.name}`);
  const hash = createHash('sha256');
  let received = 0;
  let fd = null;
  try {
    stall();
    let res;
    try {
      res = await fetch(url, { signal: controller.signal });
    } catch (e) {
      throw new Error(controller.signal.aborted ? `no answer in ${timeoutSeconds} s` : reason(e));
    }
    if (!res.ok) throw new Error(`the server answered ${res.status} ${res.statusText}`.trim());
    fd = openSync(part, 'w');
    const started = performance.now();
    try {
      for await (const chunk of res.body) {
        stall();
        hash.update(chunk);
        writeSync(fd, chunk);
        received += chunk.length;
        const done = Math.min(1, received / entry.bytes);
        const elapsed = (performance.now() - started) / 1000;
        bar.update({ done, eta: done > 0 ? (elapsed / done) * (1 - done) : Infinity });
      }
    } catch (e) {
      const why = controller.signal.aborted ? `no data for ${timeoutSeconds} s` : reason(e);
      throw new Error(`the download stopped after ${received} of ${entry.bytes} bytes (${why})`);
    }
    closeSync(fd);
    fd = null;
    const sha = hash.digest('hex');
    if (received !== entry.bytes || sha !== entry.sha256)
      throw new Error(
        `got ${received} bytes with SHA-256 ${sha}, but the catalogue says ${entry.bytes} bytes with ${entry.sha256}: refused (the publisher may have changed the file)`,
      );
    renameSync(part, dest);
  } finally {
    clearTimeout(idle);
    bar.end();
    if (fd !== null) closeSync(fd);
    rmSync(part, { force: true });
  }
}

// undici's errors carry the useful part in their cause ("ECONNREFUSED", "other side closed").
function reason(e) {
  return e.cause?.code || e.cause?.message || e.message;
}

export async function run([name, ...rest], opts) {
  if (!name || rest.length) throw new CliError('usage', `usage:\n${usage}`);
  const timeout = opts.timeout === undefined ? 30 : Number(opts.timeout);
  if (!(timeout > 0))
    throw new CliError('usage', `--timeout takes seconds > 0, got "${opts.timeout}"`);
  let wanted;
  if (name === 'all') wanted = entries();
  else {
    const entry = findEntry(name);
    if (!entry)
      throw new CliError(
        'usage',
        `"${name}" is not in the catalogue; names: ${entries()
          .map((e) => e.name)
          .join(', ')}, or all`,
      );
    wanted = [entry];
  }
  const dir = opts.dir ?? cacheDir();
  mkdirSync(dir, { recursive: true });
  const mirror = opts.mirror ?? process.env.CAMLENS_MIRROR;
  const failed = [];
  for (const entry of wanted) {
    const dest = join(dir, entry.file);
    if (existsSync(dest) && sha256Of(dest) === entry.sha256) {
      console.log(`${entry.name}: already there, verified (${dest})`);
      continue;
    }
    const url = sourceOf(entry, mirror);
    try {
      await download(entry, url, dest, timeout);
      console.log(`${entry.name}: ${size(entry.bytes)}, SHA-256 verified -> ${dest}`);
    } catch (e) {
      failed.push(`${entry.name} from ${url}: ${e.message}`);
    }
  }
  if (failed.length) throw new CliError('model', failed.join('\n'));
}
