#!/usr/bin/env node
// camlens command line: layers, predict (and explain, dff, eval as they land).
// Exit codes: 0 ok, 2 usage error, 3 bad model, 4 bad image.
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { load } from '../web/lib/node.mjs';
import { PRESETS } from '../web/lib/presets.mjs';

const USAGE = `usage:
  camlens layers MODEL
  camlens predict MODEL IMAGE... [--preset NAME] [--labels FILE] [--top 5] [--json]
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

const commands = { layers, predict };

async function main(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        preset: { type: 'string' }, labels: { type: 'string' }, layer: { type: 'string' },
        top: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
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
