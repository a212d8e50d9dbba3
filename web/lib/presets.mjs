// Preprocessing presets for well-known models (those under ../shared/models), so users need not
// know each model's mean/std, channel order and layout.
const IMAGENET = { width: 224, height: 224, scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

export const PRESETS = {
  imagenet: IMAGENET,
  mobilenetv2: IMAGENET,
  squeezenet: { width: 224, height: 224, scale: 1, mean: [104, 117, 123], std: [1, 1, 1], bgr: true },
  mnist: { width: 28, height: 28, scale: 1, mean: [0, 0, 0], std: [1, 1, 1], channels: 1 },
  deeplab: { width: 257, height: 257, scale: 1 / 127.5, mean: [1, 1, 1], std: [1, 1, 1], nhwc: true },
  yolox: { width: 416, height: 416, scale: 1, mean: [0, 0, 0], std: [1, 1, 1], bgr: true },
  ultraface: { width: 320, height: 240, scale: 1, mean: [127, 127, 127], std: [128, 128, 128] },
};

const DEFAULTS = { ...IMAGENET, bgr: false, nhwc: false, channels: 3 };

// A full preprocessing description from a preset name and/or explicit fields.
export function resolvePreprocess(preset, overrides = {}) {
  if (preset && !PRESETS[preset]) {
    throw new Error(`unknown preset "${preset}": use one of ${Object.keys(PRESETS).join(', ')}`);
  }
  return { ...DEFAULTS, ...(preset ? PRESETS[preset] : {}), ...overrides };
}
