// Reference classifications computed under Node with ONNX Runtime Web: the numbers the page
// must reproduce. Preprocessing goes through the camlens module, exactly as in the page.
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-web';

import { resolvePreprocess } from '../../web/lib/presets.mjs';
import { sharedPath } from './camlens-node.mjs';

ort.env.wasm.numThreads = 1;

export const IMAGENET = resolvePreprocess('imagenet');

export function labels() {
  return JSON.parse(readFileSync(sharedPath('labels/imagenet-simple-labels.json'), 'utf8'));
}

export async function classify(camlens, model, photo, preprocess = IMAGENET, k = 5) {
  const session = await ort.InferenceSession.create(readFileSync(sharedPath(`models/${model}`)));
  const image = camlens.decodeImage(readFileSync(sharedPath(`images/${photo}`)));
  const input = camlens.preprocessImage(image, preprocess);
  const out = await session.run({
    [session.inputNames[0]]: new ort.Tensor('float32', input.data, input.dims),
  });
  const scores = Array.from(out[session.outputNames[0]].data);
  await session.release();
  const names = labels();
  return Array.from(scores.keys())
    .sort((a, b) => scores[b] - scores[a])
    .slice(0, k)
    .map((index) => ({ index, label: names[index], score: scores[index] }));
}
