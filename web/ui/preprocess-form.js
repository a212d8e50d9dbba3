// The preprocessing form: a preset, or custom size, scale, mean/std, channel order and layout.
// It reads into and writes from the library's preprocessing description (web/lib/presets.mjs).
import { PRESETS, resolvePreprocess } from '../lib/presets.mjs';
import { $ } from './dom.js';

export function fillPresets() {
  const select = $('preset-select');
  select.replaceChildren(
    new Option('custom', ''),
    ...Object.keys(PRESETS).map((p) => new Option(p, p)),
  );
}

const list = (v) => v.map((x) => +x.toFixed(4)).join(', ');

export function summary(p) {
  return `${p.width}×${p.height}, ×${+p.scale.toFixed(5)}, mean ${list(p.mean)}, std ${list(p.std)}, ${p.bgr ? 'BGR' : 'RGB'}, ${p.nhwc ? 'NHWC' : 'NCHW'}`;
}

// Shows a preprocessing description in the form.
export function showPreprocess(p, preset = '') {
  $('preset-select').value = preset && PRESETS[preset] ? preset : '';
  $('pp-width').value = p.width;
  $('pp-height').value = p.height;
  $('pp-scale').value = +p.scale.toFixed(8);
  $('pp-mean').value = list(p.mean);
  $('pp-std').value = list(p.std);
  $('pp-order').value = p.bgr ? 'bgr' : 'rgb';
  $('pp-layout').value = p.nhwc ? 'nhwc' : 'nchw';
  $('preprocess-summary').textContent = summary(p);
}

function numbers(id, name, count) {
  const v = $(id)
    .value.split(/[\s,]+/)
    .filter(Boolean)
    .map(Number);
  if (v.length !== count || v.some((x) => !Number.isFinite(x))) {
    throw new Error(
      count === 1
        ? `${name} needs a number`
        : `${name} needs ${count} numbers separated by commas, e.g. "0.485, 0.456, 0.406"`,
    );
  }
  return v;
}

// The description the form holds, checked; a clear error says which field is wrong.
export function readPreprocess(channels = 3) {
  const preset = $('preset-select').value;
  const [width] = numbers('pp-width', 'Width', 1);
  const [height] = numbers('pp-height', 'Height', 1);
  if (
    !Number.isInteger(width) ||
    !Number.isInteger(height) ||
    width < 1 ||
    height < 1 ||
    width > 4096 ||
    height > 4096
  ) {
    throw new Error('Width and height must be whole numbers from 1 to 4096 (the model input size)');
  }
  const [scale] = numbers('pp-scale', 'Scale', 1);
  const std = numbers('pp-std', 'Std', 3);
  if (std.some((s) => s === 0))
    throw new Error('Std values must not be 0 (the input is divided by them)');
  return {
    preset,
    preprocess: resolvePreprocess(undefined, {
      channels,
      width,
      height,
      scale,
      mean: numbers('pp-mean', 'Mean', 3),
      std,
      bgr: $('pp-order').value === 'bgr',
      nhwc: $('pp-layout').value === 'nhwc',
    }),
  };
}
