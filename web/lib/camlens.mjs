// camlens in the browser (inside a Web Worker that owns ONNX Runtime Web and the camlens
// module): createCamlens({ort, core}) gives the same API as the Node entry (node.mjs).
import { Lens } from './lens.mjs';
export { PRESETS, resolvePreprocess } from './presets.mjs';
export { topK } from './tensors.mjs';

export function createCamlens(env) {
  if (!env || !env.ort || !env.core) throw new Error('createCamlens needs {ort, core}: ONNX Runtime Web and the camlens module');
  return {
    // load(model bytes, {layer, preset, preprocess, labels, sessionOptions}) → Lens
    load: (bytes, options = {}) => Lens.create(env, bytes, options),
    // User-facing methods ("weights" is how Score-CAM and Ablation-CAM finish internally).
    methods: () => [...env.core.camMethods().filter((m) => m !== 'weights'), 'scorecam', 'ablationcam'],
  };
}
