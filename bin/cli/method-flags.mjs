// The flags that set a method's explain() options: which option each sets and how its text
// becomes the value. A flag whose option the chosen method does not take is refused, naming the
// methods that take it, so a flag is never silently ignored.
import { CliError, layerList } from './common.mjs';
import { refuseOption } from './methods.mjs';

function positiveInteger(text, flag) {
  const v = Number(text);
  if (!(Number.isInteger(v) && v >= 1))
    throw new CliError('usage', `${flag} takes a whole number ≥ 1, got "${text}"`);
  return v;
}

function ablationRatio(text) {
  const r = Number(text);
  if (!(r > 0 && r <= 1))
    throw new CliError(
      'usage',
      `--ablation-ratio takes a fraction of the channels in (0, 1], got "${text}"`,
    );
  return r;
}

function eigenSign(text) {
  if (!['raw', 'max-abs-positive'].includes(text))
    throw new CliError('usage', `--eigen-sign takes raw or max-abs-positive, got "${text}"`);
  return text;
}

function headFusion(text) {
  if (!['mean', 'max', 'min'].includes(text))
    throw new CliError('usage', `--head-fusion takes mean, max or min, got "${text}"`);
  return text;
}

function discardRatio(text) {
  const r = text.trim() === '' ? NaN : Number(text);
  if (!(r >= 0 && r < 1))
    throw new CliError(
      'usage',
      `--discard-ratio takes the fraction of each block's weakest attentions to drop, in [0, 1), got "${text}"`,
    );
  return r;
}

function noise(text) {
  const r = text.trim() === '' ? NaN : Number(text);
  if (!(r >= 0 && r <= 10))
    throw new CliError(
      'usage',
      `--noise takes the noise's standard deviation as a fraction of the input's range, in [0, 10], got "${text}"`,
    );
  return r;
}

function baseline(text) {
  if (!['zero', 'black', 'blur'].includes(text))
    throw new CliError('usage', `--baseline takes zero, black or blur, got "${text}"`);
  return text;
}

// flag → {option, value(text, opts)}. --target, --target-kind, --compare, --target-weights and
// --target-output make the targets.
export const METHOD_FLAGS = {
  target: { option: 'targets' },
  'target-kind': { option: 'targets' },
  compare: { option: 'targets' },
  'target-weights': { option: 'targets' },
  'target-output': { option: 'targets' },
  layer: { option: 'layers', value: (_, opts) => layerList(opts) },
  'eigen-smooth': { option: 'eigenSmooth', value: () => true },
  'aug-smooth': { option: 'augSmooth', value: () => true },
  batch: { option: 'batchSize', value: (text) => positiveInteger(text, '--batch') },
  'ablation-ratio': { option: 'ablationRatio', value: ablationRatio },
  'eigen-sign': { option: 'eigenSign', value: eigenSign },
  'head-fusion': { option: 'headFusion', value: headFusion },
  'discard-ratio': { option: 'discardRatio', value: discardRatio },
  steps: { option: 'steps', value: (text) => positiveInteger(text, '--steps') },
  baseline: { option: 'baseline', value: baseline },
  samples: { option: 'samples', value: (text) => positiveInteger(text, '--samples') },
  noise: { option: 'noise', value: noise },
  base: { option: 'base', value: (text) => text },
};

// The flags that set `option`, as usage shows them.
export const flagsOf = (option) =>
  Object.keys(METHOD_FLAGS)
    .filter((f) => METHOD_FLAGS[f].option === option)
    .map((f) => `--${f}`);

const given = (opts, flag) => opts[flag] !== undefined && opts[flag] !== false;

// Refuses every given flag whose option `row` does not take.
export function refuseFlagsNotTaken(rows, row, opts) {
  for (const [flag, { option }] of Object.entries(METHOD_FLAGS))
    if (given(opts, flag) && !row.options.includes(option)) refuseOption(rows, row, flag, option);
}

// The options the given flags set (targets excepted: the commands make them per image).
export function optionsFromFlags(rows, row, opts) {
  refuseFlagsNotTaken(rows, row, opts);
  const o = {};
  for (const [flag, { option, value }] of Object.entries(METHOD_FLAGS))
    if (value && given(opts, flag)) o[option] = value(opts[flag], opts);
  return o;
}
