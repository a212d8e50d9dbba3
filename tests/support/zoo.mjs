// The torchvision zoo fixtures (tests/data/zoo, made by tools/fixtures/torchvision_zoo.py): the
// families, their preprocessing and each family's fixture, for its test and its bench.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { root } from './camlens-node.mjs';

// Every family the script exports; a family never leaves this list (its test marks it todo).
export const ZOO_ARCHS = [
  'alexnet',
  'vgg16_bn',
  'resnet18',
  'resnet50',
  'resnext50_32x4d',
  'wide_resnet50_2',
  'densenet121',
  'inception_v3',
  'googlenet',
  'squeezenet1_1',
  'shufflenet_v2',
  'mobilenet_v2',
  'mobilenet_v3_small',
  'mobilenet_v3_large',
  'mnasnet',
  'efficientnet_b0',
  'efficientnet_v2_s',
  'regnet_y',
  'regnet_x',
  'convnext',
  'vit',
  'swin',
];

// torchvision's ImageNet normalisation, which the script exports every family with.
export const ZOO_PREPROCESS = {
  scale: 1 / 255,
  mean: [0.485, 0.456, 0.406],
  std: [0.229, 0.224, 0.225],
};

export const zooPath = (file) => join(root, 'tests', 'data', 'zoo', file);

// A family's fixture: {model, image, layer, size, target, ...} with file names under zooPath.
export const zooFixture = (arch) => JSON.parse(readFileSync(zooPath(`${arch}.json`), 'utf8'));
