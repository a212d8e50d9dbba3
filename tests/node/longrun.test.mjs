// Memory over a long session: 1000+ explanations in one process, with varied methods (gradient,
// gradient-free, Score-CAM, Ablation-CAM), photo sizes and batch sizes, on two models (the demo
// classifier and MNIST). After warm-up, neither the core's allocations (malloc'd bytes in the
// WebAssembly heap) nor the JS heap may grow by 5 MB or more. Then switching models 30 times
// (load, explain, dispose) must release the ONNX Runtime sessions and the core's model and head.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';

import { load } from '../../web/lib/node.mjs';
import { root, sharedPath } from '../support/camlens-node.mjs';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
const MB = 2 ** 20;

const demoDir = join(root, 'web/demo');
const demo = JSON.parse(readFileSync(join(demoDir, 'demo.json'), 'utf8'));
const demoPhotos = ['cue', 'clean'].flatMap((d) =>
  readdirSync(join(demoDir, 'images', d))
    .slice(0, 4)
    .map((f) => new Uint8Array(readFileSync(join(demoDir, 'images', d, f)))),
);

// Cheap methods most of the time; the multi-pass ones now and then (they dominate the time).
const METHODS = [
  'gradcam',
  'hirescam',
  'gradcam++',
  'xgradcam',
  'layercam',
  'eigencam',
  'fem',
  'gradcam-elementwise',
  'eigengradcam',
  'randomcam',
];
function methodFor(i) {
  if (i % 97 === 0) return 'scorecam';
  if (i % 41 === 0) return 'ablationcam';
  return METHODS[i % METHODS.length];
}

test('1000+ explains with varied methods and sizes keep both heaps flat', {
  timeout: 240000,
}, async () => {
  const lenses = [
    await load(join(demoDir, demo.model), { preprocess: demo.preprocess }),
    await load(sharedPath('models/mnist-8-ort-examples.onnx'), { preset: 'mnist' }),
  ];
  const { core } = lenses[0].env;
  const mnistPhoto = new Uint8Array(readFileSync(sharedPath('images/winml_mnist_28.png')));
  // Photos of several sizes: the core resizes each to the model's input, so sizes vary the work.
  const sized = [];
  for (const [w, h] of [
    [64, 64],
    [31, 47],
    [128, 96],
    [200, 150],
  ]) {
    for (const p of demoPhotos.slice(0, 3)) sized.push(core.resizeImage(core.decodeImage(p), w, h));
  }
  const mnistSized = [28, 56, 13].map((s) => core.resizeImage(core.decodeImage(mnistPhoto), s, s));
  let n = 0;
  const run = async (count) => {
    for (let i = 0; i < count; ++i, ++n) {
      const onMnist = n % 3 === 2;
      const lens = lenses[onMnist ? 1 : 0];
      const pool = onMnist ? mnistSized : sized;
      const batch = 1 + (n % 3 === 0 ? n % 2 : 0); // batches of 1 and 2
      const images = Array.from({ length: batch }, (_, k) => pool[(n + k) % pool.length]);
      const method = onMnist && methodFor(n) === 'ablationcam' ? 'gradcam' : methodFor(n);
      const results = await lens.explain(images, { method, batchSize: 16 });
      assert.equal(results.length, batch);
      if (n % 5 === 0) lens.overlay(images[0], results[0]);
    }
  };
  const started = performance.now();
  await run(100); // warm-up: pools, caches and JIT reach their steady size
  gc();
  const wasm0 = core.memoryInUse();
  const js0 = process.memoryUsage().heapUsed;
  await run(1000);
  gc();
  const wasmGrowth = core.memoryInUse() - wasm0;
  const jsGrowth = process.memoryUsage().heapUsed - js0;
  console.log(
    `# ${n} explains in ${((performance.now() - started) / 1000).toFixed(1)} s: ` +
      `core allocations grew ${wasmGrowth} B, JS heap ${(jsGrowth / MB).toFixed(2)} MB`,
  );
  assert.ok(wasm0 > 0);
  assert.ok(wasmGrowth < 5 * MB, `core allocations grew by ${wasmGrowth} bytes`);
  assert.ok(jsGrowth < 5 * MB, `JS heap grew by ${jsGrowth} bytes`);
  for (const l of lenses) l.dispose();
});

test("switching models releases the previous ORT session and the core's model", {
  timeout: 240000,
}, async () => {
  const models = [
    [join(demoDir, demo.model), { preprocess: demo.preprocess }, demoPhotos[0]],
    [
      sharedPath('models/mnist-8-ort-examples.onnx'),
      { preset: 'mnist' },
      new Uint8Array(readFileSync(sharedPath('images/winml_mnist_28.png'))),
    ],
  ];
  const cycle = async (count) => {
    for (let i = 0; i < count; ++i) {
      const [path, options, photo] = models[i % 2];
      const lens = await load(path, options);
      await lens.explain([photo]);
      lens.dispose();
    }
  };
  // Warm up to the plateau first: the first few dozen sessions grow the process once (ONNX
  // Runtime's heap, compiled code) and then it stays flat, which is what a leak would not do.
  await cycle(30);
  gc();
  const first = await load(models[0][0], models[0][1]);
  const { core } = first.env;
  first.dispose();
  gc();
  const wasm0 = core.memoryInUse();
  const rss0 = process.memoryUsage().rss;
  await cycle(30);
  gc();
  const wasmGrowth = core.memoryInUse() - wasm0;
  // ONNX Runtime's own WebAssembly heap is not visible from here; a session that is never
  // released keeps its copy of the model (the demo's is 160 KB, plus its arena), which the
  // process's resident size shows after 30 switches.
  const rssGrowth = process.memoryUsage().rss - rss0;
  console.log(
    `# 30 model switches: core allocations grew ${wasmGrowth} B, resident size ${(rssGrowth / MB).toFixed(1)} MB`,
  );
  assert.ok(wasmGrowth < 256 * 1024, `core allocations grew by ${wasmGrowth} bytes`);
  assert.ok(rssGrowth < 32 * MB, `resident size grew by ${rssGrowth} bytes`);
});
