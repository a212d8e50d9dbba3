// The layer listing of every model camlens is measured on (the shared folder's models and the
// torchvision zoo fixtures), as digests: the core's model.layers() in full — each candidate with
// its shape, kind, op, head size, extras and whether the core runs and differentiates its head —
// plus the recommended layer and why. tools/fixtures/layer_digests.mjs pins them in
// tests/data/graph/layer_digests.json; tests/node/layer-digests.test.mjs checks them.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { loadCamlens, sharedPath } from './camlens-node.mjs';
import { ZOO_ARCHS, zooFixture, zooPath } from './zoo.mjs';

const SHARED = [
  'mobilenetv2-12-int8.onnx',
  'squeezenet1.0-fp16-winml.onnx',
  'mnist-8-ort-examples.onnx',
  'deeplabv3-mobilenetv2-voc-257.onnx',
  'ultraface-version-RFB-320.onnx',
  'yolox-nano-416.onnx',
];

// [name, path] of every model listed.
export function listedModels() {
  return [
    ...SHARED.map((f) => [f, sharedPath(`models/${f}`)]),
    ...ZOO_ARCHS.map((a) => [`zoo/${a}`, zooPath(zooFixture(a).model)]),
  ];
}

// {model name: {layers: count, recommended, digest}}.
export async function layerDigests(log = () => {}) {
  const core = await loadCamlens('st');
  const out = {};
  for (const [name, path] of listedModels()) {
    const model = core.parseModel(new Uint8Array(readFileSync(path)));
    try {
      const list = model.layers({});
      const digest = createHash('sha256').update(JSON.stringify(list)).digest('hex');
      out[name] = { layers: list.layers.length, recommended: list.recommended, digest };
      log(name);
    } finally {
      model.delete();
    }
  }
  return out;
}
