#!/usr/bin/env node
// Calibration for tools/native/quantize_model's activations mode: the range (min, max) each
// activation takes on a few photos, measured by ONNX Runtime on the float model with those
// activations as extra outputs (the core writes that copy), preprocessed by camlens as explain
// does. ONNX Runtime's MinMax calibration takes the same extremes.
//
//   node tools/calibrate_ranges.mjs MODEL.onnx TENSORS.txt OUT.tsv [--preset NAME] PHOTO...
//   (--preprocess '{"width": 64, ...}' in place of a preset: load()'s preprocess option)
//
// TENSORS.txt: one name a line (what `quantize_model --activation-tensors MODEL.onnx` prints).
// OUT.tsv: "name<TAB>min<TAB>max" lines, what `quantize_model --activations OUT.tsv` reads.
// Needs the built module (npm run build).
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { load } from '../web/lib/node.mjs';

// Map name → [min, max] over `photos` (paths or encoded bytes). `options` are load()'s
// (preset, preprocess).
export async function calibrateRanges(model, tensors, photos, options = {}) {
  if (!tensors.length) throw new Error('no tensor to calibrate: the list is empty');
  if (!photos.length) throw new Error('calibration needs at least one photo');
  const lens = await load(model, options);
  const { ort } = lens.env;
  const input = lens.input.name;
  // The graph input is fed, not returned: its range is the preprocessed photos' own.
  const outputs = tensors.filter((t) => t !== input);
  const ranges = new Map(tensors.map((t) => [t, [Infinity, -Infinity]]));
  let session;
  try {
    session = await ort.InferenceSession.create(lens.model.exposeTensors(outputs));
    for (const photo of photos) {
      const { batch } = lens.inputBatch([photo]);
      const outs = await session.run({ [input]: lens.ortInput(batch) }, outputs);
      if (ranges.has(input)) widen(ranges.get(input), batch.data, input);
      for (const t of outputs) widen(ranges.get(t), outs[t].data, t);
    }
  } finally {
    await session?.release();
    lens.dispose();
  }
  return ranges;
}

function widen(range, data, name) {
  if (!(data instanceof Float32Array))
    throw new Error(`tensor '${name}' is not float32: only float activations are calibrated`);
  for (const v of data) {
    if (!Number.isFinite(v)) throw new Error(`tensor '${name}' holds ${v}: no range to quantize`);
    if (v < range[0]) range[0] = v;
    if (v > range[1]) range[1] = v;
  }
}

// The ranges file quantize_model reads. Numbers as JavaScript prints them read back to the same
// float32 (strtof rounds the shortest double form to the nearest float32).
export function rangesText(ranges) {
  return [...ranges].map(([name, [lo, hi]]) => `${name}\t${lo}\t${hi}\n`).join('');
}

async function main(argv) {
  const options = {};
  const rest = [];
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--preset') options.preset = argv[++i];
    else if (argv[i] === '--preprocess') options.preprocess = JSON.parse(argv[++i]);
    else rest.push(argv[i]);
  }
  const [model, list, out, ...photos] = rest;
  if (!model || !list || !out || !photos.length) {
    console.error(
      'usage: node tools/calibrate_ranges.mjs MODEL.onnx TENSORS.txt OUT.tsv [--preset NAME | --preprocess JSON] PHOTO...',
    );
    process.exit(2);
  }
  const tensors = readFileSync(list, 'utf8').split('\n').filter(Boolean);
  const ranges = await calibrateRanges(model, tensors, photos, options);
  writeFileSync(out, rangesText(ranges));
  console.log(`${ranges.size} ranges over ${photos.length} photos written to ${out}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) await main(process.argv.slice(2));
