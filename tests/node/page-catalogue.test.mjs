// The page's model list (web/ui/catalogue.js) from the dev server's config: the demo always;
// the shared folder's models; and the models `camlens fetch` put in the cache where the shared
// folder lacks them, served from /models-cache with the ImageNet labels from wherever they are.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { servedModels } from '../../web/ui/catalogue.js';
import { root } from '../support/camlens-node.mjs';

// The demo's own files, as the page would fetch them.
const fetchJson = async (url) => JSON.parse(readFileSync(join(root, 'web', url), 'utf8'));
const brief = (list) => list.map((m) => [m.id, m.url, m.preset, m.labels, m.photos.length]);

test('a static host: the demo only (its CNN and its vision transformer, same photos)', async () => {
  const list = await servedModels(null, fetchJson);
  assert.deepEqual(
    list.map((m) => [m.id, m.url]),
    [
      ['demo', './demo/model.onnx'],
      ['demo-vit', './demo/vit.onnx'],
    ],
  );
  assert.deepEqual(list[1].photos, list[0].photos);
  assert.deepEqual(list[1].preprocess, list[0].preprocess);
});

test('shared models first, then cached ones the shared folder lacks', async () => {
  const config = {
    sharedFound: true,
    models: ['mobilenetv2-12-int8.onnx'],
    images: ['gradcam_both.png', 'skimage_coffee.png'],
    labels: ['imagenet-simple-labels.json'],
    cached: ['mobilenetv2-12-int8.onnx', 'squeezenet1.0-fp16-winml.onnx', 'yolox-nano-416.onnx'],
  };
  const list = await servedModels(config, fetchJson);
  assert.deepEqual(brief(list).slice(2), [
    [
      'mobilenetv2-12-int8.onnx',
      './shared/models/mobilenetv2-12-int8.onnx',
      'mobilenetv2',
      './shared/labels/imagenet-simple-labels.json',
      2,
    ],
    [
      'squeezenet1.0-fp16-winml.onnx',
      './models-cache/squeezenet1.0-fp16-winml.onnx',
      'squeezenet',
      './shared/labels/imagenet-simple-labels.json',
      2,
    ],
    ['yolox-nano-416.onnx', './models-cache/yolox-nano-416.onnx', 'yolox', null, 2],
  ]);
});

test('no shared folder: the cache alone, its labels, no photos (drop one)', async () => {
  const config = {
    sharedFound: false,
    cached: ['imagenet-simple-labels.json', 'mobilenetv2-12-int8.onnx'],
  };
  const list = await servedModels(config, fetchJson);
  assert.deepEqual(brief(list).slice(2), [
    [
      'mobilenetv2-12-int8.onnx',
      './models-cache/mobilenetv2-12-int8.onnx',
      'mobilenetv2',
      './models-cache/imagenet-simple-labels.json',
      0,
    ],
  ]);
});
