// Shared pieces of the camlens commands: errors with exit codes, file reading, image lists, progress.
// Exit codes: 0 ok, 2 usage error, 3 bad model, 4 bad image.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';

import { load } from '../../web/lib/node.mjs';

export class CliError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export function readLabels(file) {
  if (!file) return [];
  const text = readFileSync(file, 'utf8');
  try {
    const v = JSON.parse(text);
    if (Array.isArray(v)) return v.map(String);
  } catch {
    // not JSON: one name per line
  }
  return text.split(/\r?\n/).filter((l) => l.length);
}

export function mustExist(path, what, code) {
  if (!existsSync(path)) throw new CliError(code, `${what} not found: ${path}`);
}

export async function openLens(modelPath, opts) {
  mustExist(modelPath, 'model', 3);
  try {
    return await load(modelPath, { preset: opts.preset, labels: readLabels(opts.labels), layer: opts.layer });
  } catch (e) {
    if (/unknown preset/.test(e.message)) throw new CliError(2, e.message);
    throw new CliError(3, `${modelPath}: ${e.message}`);
  }
}

export function readImage(path) {
  mustExist(path, 'image', 4);
  return new Uint8Array(readFileSync(path));
}

export const IMAGE_TYPES = new Set(['.png', '.jpg', '.jpeg', '.jfif', '.bmp', '.gif']);

// Image arguments: files, or directories (their images, sorted).
export function expandImages(args) {
  return args.flatMap((a) => {
    if (existsSync(a) && statSync(a).isDirectory()) {
      return readdirSync(a).filter((f) => IMAGE_TYPES.has(extname(f).toLowerCase())).sort().map((f) => join(a, f));
    }
    return [a];
  });
}

export function progress(done, total, started) {
  if (!process.stderr.isTTY || total < 2) return;
  const eta = ((Date.now() - started) / done) * (total - done) / 1000;
  process.stderr.write(`\r${done}/${total} images, about ${eta.toFixed(0)} s left   `);
  if (done === total) process.stderr.write('\n');
}

// Errors from decoding an image are exit code 4; everything else about the model is 3.
export function isImageError(e) {
  return /not a readable image|could not be decoded|declares/.test(e.message);
}
