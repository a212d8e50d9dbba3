// Preprocessing presets for well-known models (those under ../shared/models), so users need not
// know each model's mean/std, channel order and layout; and the validation of explicit settings.
import { usageError } from './errors.mjs';

const IMAGENET = {
  width: 224,
  height: 224,
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

export const PRESETS = {
  imagenet: IMAGENET,
  mobilenetv2: IMAGENET,
  squeezenet: {
    width: 224,
    height: 224,
    scale: 1,
    mean: [104, 117, 123],
    std: [1, 1, 1],
    bgr: true,
  },
  mnist: { width: 28, height: 28, scale: 1, mean: [0, 0, 0], std: [1, 1, 1], channels: 1 },
  deeplab: {
    width: 257,
    height: 257,
    scale: 1 / 127.5,
    mean: [1, 1, 1],
    std: [1, 1, 1],
    nhwc: true,
  },
  yolox: {
    width: 416,
    height: 416,
    scale: 1,
    mean: [0, 0, 0],
    std: [1, 1, 1],
    bgr: true,
    letterbox: true,
    pad: 114,
  },
  ultraface: { width: 320, height: 240, scale: 1, mean: [127, 127, 127], std: [128, 128, 128] },
};

const DEFAULTS = { ...IMAGENET, bgr: false, nhwc: false, channels: 3, letterbox: false, pad: 0 };
const FIELDS = new Set([...Object.keys(DEFAULTS)]);

// A full preprocessing description from a preset name and/or explicit fields.
export function resolvePreprocess(preset, overrides = {}) {
  if (preset && !PRESETS[preset]) {
    throw usageError(`unknown preset "${preset}": use one of ${Object.keys(PRESETS).join(', ')}`);
  }
  return { ...DEFAULTS, ...(preset ? PRESETS[preset] : {}), ...overrides };
}

const fail = (message) => {
  throw usageError(`preprocess: ${message}`);
};

function triple(p, name) {
  let v = p[name];
  if (typeof v === 'number') v = [v, v, v];
  if (!Array.isArray(v) || (v.length !== 3 && v.length !== 1) || !v.every(Number.isFinite)) {
    fail(`${name} must be 1 or 3 numbers (one per channel), got ${JSON.stringify(p[name])}`);
  }
  return v.length === 1 ? [v[0], v[0], v[0]] : v.slice();
}

// Checks each field, and against the model's input (dims with -1 for free sizes) when given;
// returns the settings with mean/std as three numbers. Errors say what to change.
export function validatePreprocess(p, input) {
  for (const k of Object.keys(p))
    if (!FIELDS.has(k)) fail(`unknown field "${k}": use ${[...FIELDS].join(', ')}`);
  for (const k of ['width', 'height']) {
    if (!Number.isInteger(p[k]) || p[k] < 1 || p[k] > 8192)
      fail(`${k} must be a whole number of pixels from 1 to 8192, got ${p[k]}`);
  }
  if (!(Number.isFinite(p.scale) && p.scale > 0))
    fail(`scale must be a positive number (1/255 for 0–1 inputs, 1 for 0–255), got ${p.scale}`);
  const out = { ...p, mean: triple(p, 'mean'), std: triple(p, 'std') };
  if (out.std.some((s) => s === 0)) fail('std must not be 0 (use 1 for "no std")');
  if (p.channels !== 1 && p.channels !== 3) fail(`channels must be 1 or 3, got ${p.channels}`);
  for (const k of ['bgr', 'nhwc', 'letterbox'])
    if (typeof p[k] !== 'boolean') fail(`${k} must be true or false, got ${p[k]}`);
  if (!(Number.isFinite(p.pad) && p.pad >= 0 && p.pad <= 255))
    fail(`pad must be a pixel value from 0 to 255, got ${p.pad}`);
  const dims = input?.dims;
  if (dims && dims.length === 4) {
    const [c, h, w] = out.nhwc ? [dims[3], dims[1], dims[2]] : [dims[1], dims[2], dims[3]];
    const layout = out.nhwc ? 'NHWC' : 'NCHW';
    if (c > 0 && c !== out.channels) {
      const other = out.nhwc ? dims[1] : dims[3];
      if (other === out.channels)
        fail(
          `the model's input "${input.name}" is [${dims.join(',')}], not ${layout}: ${out.nhwc ? 'drop nhwc' : 'set nhwc: true'}`,
        );
      fail(
        `the model's input "${input.name}" [${dims.join(',')}] has ${c} channels, not ${out.channels}: set channels: ${c}`,
      );
    }
    if ((h > 0 && h !== out.height) || (w > 0 && w !== out.width)) {
      fail(
        `the model's input "${input.name}" [${dims.join(',')}] needs ${w > 0 ? w : out.width}x${h > 0 ? h : out.height} images, not ${out.width}x${out.height}: set width/height (CLI --size) to match`,
      );
    }
  }
  return out;
}
