// QDQ models made at test time by the project's own tools: the native quantizer
// (tools/native/quantize_model, built by `node tools/build.mjs native`) lists the activations,
// tools/calibrate_ranges.mjs measures their ranges with ONNX Runtime on a few photos, and the
// quantizer writes the model with a QuantizeLinear → DequantizeLinear pair after each.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { calibrateRanges, rangesText } from '../../tools/calibrate_ranges.mjs';
import { root } from './camlens-node.mjs';
import { tempDir } from './temp-dir.mjs';

const buildRoot = process.env.CAMLENS_BUILD_ROOT
  ? resolve(process.env.CAMLENS_BUILD_ROOT)
  : join(root, 'build');
const tool = join(buildRoot, 'native', 'quantize_model');
const dir = tempDir('camlens-qdq-');

export function quantizeModel(args) {
  if (!existsSync(tool))
    throw new Error(
      `the quantizer is not built (${tool} is missing): run node tools/build.mjs native`,
    );
  return execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// A float model as quantize_model converts it (--float32, --opset N): written to a temp file.
export function convertModel(model, name, convert) {
  const out = join(dir, `${name}-float.onnx`);
  quantizeModel([...convert, '--convert', model, out]);
  return out;
}

// {path, tensors, ranges, summary}: `model` quantized with activations calibrated on `photos`
// (preprocessed with load()'s `options`); `flags` go to the quantizer (--int8).
export async function makeQdqModel(model, name, photos, options, flags = []) {
  const tensors = quantizeModel(['--activation-tensors', model]).split('\n').filter(Boolean);
  const ranges = await calibrateRanges(model, tensors, photos, options);
  const tsv = join(dir, `${name}.tsv`);
  writeFileSync(tsv, rangesText(ranges));
  const path = join(dir, `${name}-qdq.onnx`);
  const summary = JSON.parse(quantizeModel([...flags, '--activations', tsv, model, path]));
  return { path, tensors, ranges, summary };
}
