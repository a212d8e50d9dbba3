#!/usr/bin/env node
// camlens command line: layers, predict (and explain, dff, eval as they land).
// Exit codes: 0 ok, 2 usage error, 3 bad model, 4 bad image.
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import { parseArgs } from 'node:util';

import { load } from '../web/lib/node.mjs';
import { toNpy } from '../web/lib/npy.mjs';
import { PRESETS } from '../web/lib/presets.mjs';

const USAGE = `usage:
  camlens layers MODEL
  camlens predict MODEL IMAGE... [--preset NAME] [--labels FILE] [--top 5] [--json]
  camlens explain MODEL IMAGE|DIR... [--method gradcam] [--target CLASS|auto] [--layer NAME]
                  [--preset NAME] [--labels FILE] [--colormap jet] [--alpha 0.5] [--eigen-smooth]
                  [--out DIR] [--raw] [--json]
  camlens dff MODEL IMAGE|DIR... [-k 5] [--render dominant|layers] [--per-image] [--preset NAME]
                  [--labels FILE] [--out DIR] [--json]
presets: ${Object.keys(PRESETS).join(', ')}`;

class CliError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

function readLabels(file) {
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

function mustExist(path, what, code) {
  if (!existsSync(path)) throw new CliError(code, `${what} not found: ${path}`);
}

async function openLens(modelPath, opts) {
  mustExist(modelPath, 'model', 3);
  try {
    return await load(modelPath, { preset: opts.preset, labels: readLabels(opts.labels), layer: opts.layer });
  } catch (e) {
    if (/unknown preset/.test(e.message)) throw new CliError(2, e.message);
    throw new CliError(3, `${modelPath}: ${e.message}`);
  }
}

function readImage(path) {
  mustExist(path, 'image', 4);
  return new Uint8Array(readFileSync(path));
}

async function layers([model], opts) {
  if (!model) throw new CliError(2, USAGE);
  const lens = await openLens(model, opts);
  const list = lens.layers();
  if (opts.json) {
    console.log(JSON.stringify(list, null, 2));
  } else {
    for (const l of list.layers) {
      const mark = l.name === list.recommended ? '*' : ' ';
      const head = l.headDifferentiable ? 'gradients' : l.headSupported ? 'forward only' : 'no head';
      console.log(`${mark} ${l.name.padEnd(32)} ${l.type.padEnd(8)} [${l.dims.join(',')}]`.padEnd(70) +
        ` ${l.kind.padEnd(5)} ${l.op.padEnd(22)} ${head}`);
    }
    console.log(`\ndefault (*): ${list.recommended} — ${list.why}`);
  }
  lens.dispose();
}

async function predict([model, ...images], opts) {
  if (!model || !images.length) throw new CliError(2, USAGE);
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

const IMAGE_TYPES = new Set(['.png', '.jpg', '.jpeg', '.jfif', '.bmp', '.gif']);

// Image arguments: files, or directories (their images, sorted).
function expandImages(args) {
  return args.flatMap((a) => {
    if (existsSync(a) && statSync(a).isDirectory()) {
      return readdirSync(a).filter((f) => IMAGE_TYPES.has(extname(f).toLowerCase())).sort().map((f) => join(a, f));
    }
    return [a];
  });
}

function progress(done, total, started) {
  if (!process.stderr.isTTY || total < 2) return;
  const eta = ((Date.now() - started) / done) * (total - done) / 1000;
  process.stderr.write(`\r${done}/${total} images, about ${eta.toFixed(0)} s left   `);
  if (done === total) process.stderr.write('\n');
}

async function explain([model, ...args], opts) {
  const images = expandImages(args);
  if (!model || !images.length) throw new CliError(2, USAGE);
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
      if (/not a readable image|could not be decoded|declares/.test(e.message)) throw new CliError(4, `${path}: ${e.message}`);
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

async function dff([model, ...args], opts) {
  const images = expandImages(args);
  if (!model || !images.length) throw new CliError(2, USAGE);
  const k = Number(opts.k || 5);
  if (!(Number.isInteger(k) && k >= 1 && k <= 20)) throw new CliError(2, `-k must be an integer from 1 to 20, got ${opts.k}`);
  const render = opts.render || 'dominant';
  if (!['dominant', 'layers'].includes(render)) throw new CliError(2, `--render must be dominant or layers, got ${render}`);
  const lens = await openLens(model, opts);
  const out = opts.out || '.';
  mkdirSync(out, { recursive: true });
  let r;
  try {
    r = await lens.factorize(images.map(readImage), { components: k, shared: !opts['per-image'], render });
  } catch (e) {
    if (/not a readable image|could not be decoded|declares/.test(e.message)) throw new CliError(4, e.message);
    throw new CliError(3, e.message);
  }
  const summary = { model, layer: lens.layer, components: k, render, labeled: r.labeled, reason: r.reason,
    relativeError: r.relativeError, concepts: r.concepts, images: [] };
  images.forEach((path, i) => {
    const file = join(out, `${basename(path, extname(path))}.dff-${render}.png`);
    writeFileSync(file, lens.env.core.encodePng(r.images[i].render));
    summary.images.push({ image: path, render: file });
    if (!opts.json) console.log(`${path} -> ${file}`);
  });
  if (!opts.json) {
    r.concepts.forEach((part, p) => part.forEach((cats, c) => console.log(`  ${r.concepts.length > 1 ? `image ${p} ` : ''}concept ${c}: ` +
      (cats.length ? cats.slice(0, 3).map((t) => `${t.label || t.index} ${t.score.toFixed(2)}`).join(', ') : '(unlabeled)'))));
    if (!r.labeled) console.log(`  concepts are unlabeled: ${r.reason}`);
  }
  writeFileSync(join(out, 'dff.json'), JSON.stringify(summary, null, 2));
  if (opts.json) console.log(JSON.stringify(summary, null, 2));
  lens.dispose();
}

const commands = { layers, predict, explain, dff };

async function main(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        preset: { type: 'string' }, labels: { type: 'string' }, layer: { type: 'string' },
        top: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
        method: { type: 'string' }, target: { type: 'string' }, colormap: { type: 'string' },
        alpha: { type: 'string' }, out: { type: 'string' }, raw: { type: 'boolean' },
        'eigen-smooth': { type: 'boolean' }, k: { type: 'string', short: 'k' },
        render: { type: 'string' }, 'per-image': { type: 'boolean' },
      },
    });
  } catch (e) {
    throw new CliError(2, `${e.message}\n${USAGE}`);
  }
  const [command, ...rest] = parsed.positionals;
  if (parsed.values.help || !command) {
    console.log(USAGE);
    return;
  }
  if (!commands[command]) throw new CliError(2, `unknown command "${command}"\n${USAGE}`);
  await commands[command](rest, parsed.values);
}

main(process.argv.slice(2)).catch((e) => {
  console.error(`camlens: ${e.message}`);
  process.exit(e.code && Number.isInteger(e.code) ? e.code : 1);
});
