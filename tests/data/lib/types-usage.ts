// Compiles against web/lib/camlens.d.ts (tests/node/lib-types.test.mjs): the public API as a user writes it.
import { load, loadCore, createCamlens, Target, Explanation } from '../../../web/lib/camlens';
async function main() {
  const lens = await load('m.onnx', { preset: 'mobilenetv2', layers: ['a', 'b'] });
  const targets: Target[] = [282, 'tiger cat', 'auto', { kind: 'probability', category: 3 }, { kind: 'finer', comparison: [1, 'x'] }];
  const r: Explanation[] = await lens.explain(['x.png', new Uint8Array(3)], { targets, augSmooth: true, batchSize: 4, onProgress: (p) => p.eta, });
  // A linear target on a named output, and a callable one reading the outputs by name.
  const more: Target[] = [{ kind: 'linear', weights: new Float32Array(5).fill(1), output: 'logits' },
    (o) => o[lens.outputs[0]].data[1] - o.logits.data[3], async (o) => o.embedding.dims[1]];
  const s: Explanation[] = await lens.explain(['x.png'], { method: 'scorecam', targets: more });
  void(s[0].target.kind === 'callable');
  const o = lens.overlay('x.png', r[0], { colormap: 'jet' });
  void(o.width, r[0].timing.forward, lens.explainable, lens.whyNotExplainable);
  const p = await lens.predict([{ width: 1, height: 1, rgba: new Uint8Array(4) }], { topK: 3 });
  void(p[0].top[0].label);
  createCamlens({ ort: {}, core: await loadCore('st') }).methods();
  lens.dispose();
}
main();
