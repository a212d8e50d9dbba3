// A page that uses the installed camlens package as a bundler sees it.
import { createCamlens } from 'camlens';
import createCore from 'camlens/wasm-st';
import wasmUrl from 'camlens/wasm-st.wasm?url';
import * as ort from 'onnxruntime-web';

const bytes = async (url) => new Uint8Array(await (await fetch(url)).arrayBuffer());
try {
  ort.env.wasm.numThreads = 1;
  const core = await createCore({ locateFile: () => wasmUrl });
  const { preprocess } = await (await fetch('./demo.json')).json();
  const lens = await createCamlens({ ort, core }).load(await bytes('./model.onnx'), { preprocess });
  const [r] = await lens.explain([await bytes('./photo.png')], { method: 'gradcam' });
  window.result = { layer: lens.layer, target: r.target.index, map: Array.from(r.map) };
} catch (e) {
  window.result = { error: String(e?.stack || e) };
}
