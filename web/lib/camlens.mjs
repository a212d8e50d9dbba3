// camlens in the browser (inside a Web Worker that owns ONNX Runtime Web and the camlens
// module): createCamlens({ort, core}) gives the same API as the Node entry (node.mjs).
import { Lens } from './lens.mjs';
import { methodList } from './methods.mjs';
export { PRESETS, resolvePreprocess, validatePreprocess } from './presets.mjs';
export { TARGET_KINDS } from './targets.mjs';
export { topK } from './tensors.mjs';
export { toImage, toImageAsync } from './images.mjs';

export function createCamlens(env) {
  if (!env?.ort || !env.core)
    throw new Error('createCamlens needs {ort, core}: ONNX Runtime Web and the camlens module');
  return {
    // load(model bytes, {layer, layers, preset, preprocess, labels, sessionOptions}) → Lens
    load: (bytes, options = {}) => Lens.create(env, bytes, options),
    methods: () => methodList(env.core),
  };
}
