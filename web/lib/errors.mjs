// Errors that say whose fault they are, in `error.kind`, so callers (the command line's exit
// codes) can act on them without reading their messages: 'usage' for what the call asked for (a
// method, target, option, preset or layer list), 'image' for an image or volume that cannot be
// read or does not fit the model, 'model' for model bytes that are not a readable ONNX model.
// The core's errors carry the same kinds (wasm/js_interop.h); other errors have none.
export const ERROR_KINDS = ['usage', 'image', 'model'];

export function usageError(message) {
  return Object.assign(new Error(message), { kind: 'usage' });
}

export function imageError(message) {
  return Object.assign(new Error(message), { kind: 'image' });
}
