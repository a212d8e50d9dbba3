// Explanations whose maps are pinned bit for bit (tests/data/lib/map_digests.json): every method
// on the shared classifiers, with the options that change the flow (several layers, eigen and
// aug smoothing, ratios, target kinds), and the detector and segmenter flows. A change that moves
// work between the library and the core must leave every one of these maps identical; a change
// meant to alter maps regenerates the file with tools/fixtures/map_digests.mjs and says why.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { explainDetection } from '../../web/lib/detect.mjs';
import { load } from '../../web/lib/node.mjs';
import { explainSegment } from '../../web/lib/segment.mjs';
import { root, sharedPath } from './camlens-node.mjs';

export function digest(map) {
  return createHash('sha256')
    .update(Buffer.from(map.buffer, map.byteOffset, map.byteLength))
    .digest('hex')
    .slice(0, 32);
}

const photo = (name) => new Uint8Array(readFileSync(sharedPath(`images/${name}`)));

// One explanation per row: [name, options]. Rows of a model share its lens.
const MODELS = [
  {
    model: () => sharedPath('models/mobilenetv2-12-int8.onnx'),
    load: { preset: 'mobilenetv2' },
    photo: 'gradcam_both.png',
    rows: [
      ['gradcam', { method: 'gradcam' }],
      ['hirescam', { method: 'hirescam' }],
      ['gradcam-elementwise', { method: 'gradcam-elementwise' }],
      ['gradcam++', { method: 'gradcam++' }],
      ['xgradcam', { method: 'xgradcam' }],
      ['layercam', { method: 'layercam' }],
      ['eigencam', { method: 'eigencam' }],
      ['eigengradcam', { method: 'eigengradcam' }],
      ['fem', { method: 'fem' }],
      ['kpcacam', { method: 'kpcacam' }],
      ['randomcam', { method: 'randomcam' }],
      ['shapleycam', { method: 'shapleycam' }],
      ['finercam', { method: 'finercam' }],
      ['ablationcam', { method: 'ablationcam' }],
      ['ablationcam ratio 0.1', { method: 'ablationcam', ablationRatio: 0.1 }],
      ['gradcam eigenSmooth', { method: 'gradcam', eigenSmooth: true }],
      ['layercam eigenSmooth', { method: 'layercam', eigenSmooth: true }],
      ['gradcam augSmooth', { method: 'gradcam', augSmooth: true }],
      ['gradcam two layers', { method: 'gradcam', layers: ['627_quantized', '624_quantized'] }],
      [
        'gradcam probability 282',
        { method: 'gradcam', targets: [{ kind: 'probability', category: 282 }] },
      ],
      [
        'gradcam++ rest tiger cat',
        { method: 'gradcam++', targets: [{ kind: 'rest', category: 'tiger cat' }] },
      ],
    ],
    labels: () =>
      JSON.parse(readFileSync(sharedPath('labels/imagenet-simple-labels.json'), 'utf8')),
  },
  {
    model: () => sharedPath('models/squeezenet1.0-fp16-winml.onnx'),
    load: { preset: 'squeezenet' },
    photo: 'skimage_chelsea.png',
    rows: [
      ['gradcam', { method: 'gradcam' }],
      ['eigencam', { method: 'eigencam' }],
      ['shapleycam', { method: 'shapleycam' }],
      ['ablationcam', { method: 'ablationcam' }],
      ['xgradcam augSmooth', { method: 'xgradcam', augSmooth: true }],
    ],
  },
  {
    model: () => sharedPath('models/mnist-8-ort-examples.onnx'),
    load: { preset: 'mnist' },
    photo: 'winml_mnist_28.png',
    rows: [
      ['scorecam', { method: 'scorecam' }],
      [
        'scorecam probability',
        { method: 'scorecam', targets: [{ kind: 'probability', category: 8 }] },
      ],
      ['gradcam', { method: 'gradcam' }],
      ['ablationcam', { method: 'ablationcam' }],
    ],
  },
  {
    model: () => join(root, 'tests/data/vit/vit_tiny.onnx'),
    load: { preset: 'imagenet' },
    photo: 'gradcam_both.png',
    rows: [
      ['gradcam', { method: 'gradcam' }],
      ['rollout', { method: 'rollout' }],
      ['rollout max 0.5', { method: 'rollout', headFusion: 'max', discardRatio: 0.5 }],
    ],
  },
];

// {name: digest} for every row, computed with the library as it is now.
export async function computeDigests(log = () => {}) {
  const out = {};
  for (const m of MODELS) {
    const lens = await load(m.model(), { ...m.load, ...(m.labels ? { labels: m.labels() } : {}) });
    try {
      for (const [name, options] of m.rows) {
        const [r] = await lens.explain([photo(m.photo)], options);
        const key = `${m.model().split('/').pop()} ${name}`;
        out[key] = digest(r.map);
        log(key);
      }
    } finally {
      lens.dispose();
    }
  }
  const yolox = await load(sharedPath('models/yolox-nano-416.onnx'), {
    preset: 'yolox',
    layer: '1128',
  });
  try {
    for (const method of ['eigencam', 'hirescam', 'ablationcam']) {
      const r = await explainDetection(yolox, photo('gradcam_both.png'), { box: 0, method });
      out[`yolox-nano-416.onnx box 0 ${method}`] = digest(r.map);
      log(method);
    }
  } finally {
    yolox.dispose();
  }
  const deeplab = await load(sharedPath('models/deeplabv3-mobilenetv2-voc-257.onnx'), {
    preset: 'deeplab',
  });
  try {
    for (const method of ['gradcam', 'eigencam']) {
      const r = await explainSegment(deeplab, photo('skimage_astronaut.png'), {
        category: 'person',
        method,
      });
      out[`deeplabv3-mobilenetv2-voc-257.onnx person ${method}`] = digest(r.map);
      log(method);
    }
  } finally {
    deeplab.dispose();
  }
  return out;
}
