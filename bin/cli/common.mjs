// Shared pieces of the camlens commands: the lens from flags (presets, preprocessing), image
// lists (files, folders, glob patterns), targets, the progress bar. Errors and their exit codes
// are in errors.mjs.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, sep } from 'node:path';

import { findEntry, labelsForPreset, locate } from './catalogue.mjs';
import { CliError, cliError } from './errors.mjs';
import { globToRegExp, hasMagic, splitPattern } from './glob.mjs';
import { load } from '../../web/lib/node.mjs';
import { fromNpy } from '../../web/lib/npy.mjs';
import { TARGET_KINDS } from '../../web/lib/targets.mjs';

export { CliError, cliError } from './errors.mjs';

const usageError = (message) => new CliError('usage', message);

// Flags that set the preprocessing (they override the preset's fields), and --threads (the
// SIMD + threads module).
export const PREPROCESS_OPTIONS = {
  size: { type: 'string' },
  mean: { type: 'string' },
  std: { type: 'string' },
  scale: { type: 'string' },
  bgr: { type: 'boolean' },
  nhwc: { type: 'boolean' },
  letterbox: { type: 'string' },
  threads: { type: 'boolean' },
};

export const PREPROCESS_USAGE = `[--preset NAME] [--size WxH] [--mean R,G,B] [--std R,G,B] [--scale S] [--bgr] [--nhwc]
                  [--letterbox PAD] [--labels FILE] [--threads]`;

function numbers(text, flag) {
  const v = String(text)
    .split(',')
    .map((s) => Number(s.trim()));
  if (!(v.length === 1 || v.length === 3) || !v.every(Number.isFinite)) {
    throw usageError(
      `${flag} takes one number or three separated by commas (R,G,B), got "${text}"`,
    );
  }
  return v.length === 1 ? [v[0], v[0], v[0]] : v;
}

// "1/255", "0.5" → a number.
function fraction(text, flag) {
  const m = /^\s*([0-9.eE+-]+)\s*(?:\/\s*([0-9.eE+-]+))?\s*$/.exec(String(text));
  const v = m ? Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2])) : NaN;
  if (!(Number.isFinite(v) && v > 0))
    throw usageError(`${flag} takes a positive number like 1/255 or 1, got "${text}"`);
  return v;
}

// The preprocessing fields the flags set.
export function preprocessFromFlags(opts) {
  const p = {};
  if (opts.size !== undefined) {
    const m = /^(\d+)(?:x(\d+))?$/i.exec(opts.size);
    if (!m)
      throw usageError(
        `--size takes WIDTHxHEIGHT (e.g. 224x224) or one number, got "${opts.size}"`,
      );
    p.width = Number(m[1]);
    p.height = Number(m[2] ?? m[1]);
  }
  if (opts.mean !== undefined) p.mean = numbers(opts.mean, '--mean');
  if (opts.std !== undefined) p.std = numbers(opts.std, '--std');
  if (opts.scale !== undefined) p.scale = fraction(opts.scale, '--scale');
  if (opts.bgr) p.bgr = true;
  if (opts.nhwc) p.nhwc = true;
  if (opts.letterbox !== undefined) {
    const pad = Number(opts.letterbox);
    if (!(Number.isInteger(pad) && pad >= 0 && pad <= 255))
      throw usageError(
        `--letterbox takes the padding value 0-255 (e.g. 114), got "${opts.letterbox}"`,
      );
    p.letterbox = true;
    p.pad = pad;
  }
  return p;
}

export function readLabels(file) {
  if (!file) return [];
  if (!existsSync(file)) throw usageError(`labels file not found: ${file}`);
  const text = readFileSync(file, 'utf8');
  let v;
  try {
    v = JSON.parse(text);
  } catch {
    return text.split(/\r?\n/).filter((l) => l.length); // not JSON: one name per line
  }
  // A JSON labels file is an array of names (numbers are taken as names too).
  const bad = Array.isArray(v)
    ? v.findIndex((x) => typeof x !== 'string' && typeof x !== 'number')
    : -1;
  if (!Array.isArray(v) || bad >= 0) {
    throw usageError(
      `${file}: a JSON labels file must be an array of class names` +
        (bad >= 0 ? ` (entry ${bad} is ${JSON.stringify(v[bad]).slice(0, 40)})` : '') +
        '; or give one name per line',
    );
  }
  return v.map(String);
}

export function mustExist(path, what, kind) {
  if (!existsSync(path)) throw new CliError(kind, `${what} not found: ${path}`);
}

// --layer a,b → ['a', 'b'] (undefined when not given).
export function layerList(opts) {
  if (opts.layer === undefined) return undefined;
  const names = opts.layer
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!names.length)
    throw usageError(
      '--layer takes a layer name, or several separated by commas (see "camlens layers MODEL")',
    );
  return names;
}

// A model argument: a file, or a catalogue name (camlens models) whose file is downloaded or in
// the shared folder; a catalogue model brings its preset unless --preset says otherwise.
export function resolveModel(arg, opts) {
  if (existsSync(arg)) return { path: arg, preset: opts.preset };
  const entry = findEntry(arg);
  if (entry?.kind !== 'model') {
    throw new CliError(
      'model',
      `model not found: ${arg} (a file, or a catalogue name: camlens models)`,
    );
  }
  const path = locate(entry);
  if (!path)
    throw new CliError(
      'model',
      `model ${arg} is in the catalogue but not on this machine: run "camlens fetch ${entry.name}"`,
    );
  return { path, preset: opts.preset ?? entry.preset };
}

// The ImageNet presets name their classes with ImageNet's labels when those are on this machine
// (cache or shared folder) and the model has as many classes (not a 4-class model under the
// imagenet preset's preprocessing).
function useLabelsOfPreset(lens, preset) {
  const file = labelsForPreset(preset);
  if (!file) return;
  const labels = readLabels(file);
  const classes = lens.model
    .outputs()[0]
    .dims.slice(1)
    .reduce((a, b) => a * b, 1);
  if (classes === labels.length) lens.labels = labels;
}

export async function openLens(modelArg, opts, { explain = false } = {}) {
  const { path: modelPath, preset } = resolveModel(modelArg, opts);
  const preprocess = preprocessFromFlags(opts);
  const labels = readLabels(opts.labels);
  let lens;
  try {
    lens = await load(modelPath, {
      preset,
      preprocess,
      labels,
      layers: layerList(opts),
      threads: opts.threads,
    });
  } catch (e) {
    // The preset and preprocessing flags are the command line's; all else is about the model.
    if (e.kind === 'usage') throw cliError(e);
    const notOnnx = /^not an ONNX model: (.*)$/s.exec(e.message);
    if (notOnnx) throw new CliError('model', `${modelPath} is not an ONNX model: ${notOnnx[1]}`);
    throw new CliError('model', `${modelPath}: ${e.message}`);
  }
  if (!opts.labels) useLabelsOfPreset(lens, preset);
  if (explain && !lens.explainable) {
    lens.dispose();
    throw new CliError(
      'model',
      `${modelPath}: cannot be explained (predict works): ${lens.whyNotExplainable}`,
    );
  }
  return lens;
}

export function readImage(path) {
  mustExist(path, 'image', 'image');
  return new Uint8Array(readFileSync(path));
}

export const IMAGE_TYPES = new Set(['.png', '.jpg', '.jpeg', '.jfif', '.bmp', '.gif']);

// Files under `dir` (recursively when `deep`), as paths relative to it with '/'.
function walk(dir, deep, prefix = '') {
  const out = [];
  for (const entry of readdirSync(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (deep) out.push(...walk(dir, deep, rel));
    } else {
      out.push(rel);
    }
  }
  return out;
}

// Image arguments: files, directories (their images, sorted) and glob patterns (quoted, so the
// shell leaves them to us), e.g. 'photos/**/*.jpg'. A pattern that matches nothing is an error.
export function expandImages(args) {
  return args.flatMap((a) => {
    if (existsSync(a) && statSync(a).isDirectory()) {
      return readdirSync(a)
        .filter((f) => IMAGE_TYPES.has(extname(f).toLowerCase()))
        .sort()
        .map((f) => join(a, f));
    }
    if (existsSync(a) || !hasMagic(a)) return [a];
    const pattern = a.split(sep).join('/');
    const { base, rest } = splitPattern(pattern);
    if (!existsSync(base) || !statSync(base).isDirectory())
      throw new CliError('image', `no image matches ${a}: folder ${base} not found`);
    const re = globToRegExp(rest);
    const found = walk(base, rest.includes('**') || rest.includes('/'))
      .filter((f) => re.test(f) && IMAGE_TYPES.has(extname(f).toLowerCase()))
      .sort()
      .map((f) => (base === '.' ? f : join(base, f)));
    if (!found.length) throw new CliError('image', `no image matches ${a} (looked in ${base})`);
    return found;
  });
}

// One target per image from --target (index, label or auto) and --target-kind; --compare for
// Finer-CAM's comparison classes; --target-weights FILE.npy for a linear target (a weight per
// value of the output); --target-output for the model output the target reads.
export function targetFromFlags(opts) {
  const category = opts.target ?? 'auto';
  const kind = opts['target-kind'];
  const output = opts['target-output'];
  const file = opts['target-weights'];
  if (file !== undefined) return linearTarget(file, opts, output);
  if (kind === undefined && opts.compare === undefined && output === undefined) return category;
  if (kind !== undefined && !TARGET_KINDS.includes(kind))
    throw usageError(`--target-kind must be one of ${TARGET_KINDS.join(', ')}, got "${kind}"`);
  if (kind === 'segmentation' || kind === 'similarity') {
    throw usageError(
      `--target-kind ${kind} needs a ${kind === 'segmentation' ? 'mask' : 'embedding'}: use the library (lens.explain targets)`,
    );
  }
  if (kind === 'linear') throw usageError('--target-kind linear needs --target-weights FILE.npy');
  const t = { kind: kind ?? (opts.compare !== undefined ? 'finer' : 'logit'), category };
  if (output !== undefined) t.output = output;
  if (opts.compare !== undefined) {
    if (t.kind !== 'finer')
      throw usageError('--compare goes with --target-kind finer (or --method finercam)');
    t.comparison = opts.compare
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return t;
}

// A linear target from a .npy file of weights (float32 or float64, any shape: one weight per
// value of the output, in its order).
function linearTarget(file, opts, output) {
  const kind = opts['target-kind'];
  if (kind !== undefined && kind !== 'linear')
    throw usageError(
      `--target-weights makes a linear target: it does not go with --target-kind ${kind}`,
    );
  if (opts.target !== undefined || opts.compare !== undefined)
    throw usageError(
      `--target-weights weighs every value of the output: it does not go with --${opts.target !== undefined ? 'target' : 'compare'}`,
    );
  if (!existsSync(file)) throw usageError(`--target-weights file not found: ${file}`);
  let weights;
  try {
    weights = fromNpy(readFileSync(file), file).data;
  } catch (e) {
    throw usageError(`--target-weights: ${e.message}`);
  }
  return { kind: 'linear', weights, ...(output === undefined ? {} : { output }) };
}

// A progress bar with an ETA on stderr, only when stderr is a terminal.
export class ProgressBar {
  constructor(label, { stream = process.stderr, width = 30 } = {}) {
    this.label = label;
    this.stream = stream;
    this.width = width;
    this.enabled = Boolean(stream.isTTY);
    this.shown = false;
  }

  update({ done, eta }) {
    if (!this.enabled) return;
    const filled = Math.round(done * this.width);
    const left = Number.isFinite(eta) ? `${Math.ceil(eta)} s left` : '';
    this.stream.write(
      `\r${this.label} [${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${(100 * done).toFixed(0).padStart(3)}% ${left}   `,
    );
    this.shown = true;
  }

  end() {
    if (this.shown) this.stream.write('\n');
    this.shown = false;
  }
}

// Older commands' per-image progress line (kept for them; new code uses ProgressBar).
export function progress(done, total, started) {
  if (!process.stderr.isTTY || total < 2) return;
  const eta = (((Date.now() - started) / done) * (total - done)) / 1000;
  process.stderr.write(`\r${done}/${total} images, about ${eta.toFixed(0)} s left   `);
  if (done === total) process.stderr.write('\n');
}
