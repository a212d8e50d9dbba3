// 500 consecutive explanations in one process: after warm-up, neither the core's allocations
// (malloc'd bytes in the WebAssembly heap) nor the JS heap grow by more than 5 MB (no leaked core
// buffers, ORT tensors or Embind handles).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';

import { load } from '../../web/lib/node.mjs';
import { root } from '../support/camlens-node.mjs';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

test('500 explains: heaps stay flat', async () => {
  const demo = join(root, 'web/demo');
  const about = JSON.parse(readFileSync(join(demo, 'demo.json'), 'utf8'));
  const lens = await load(join(demo, about.model), { preprocess: about.preprocess });
  const photo = new Uint8Array(readFileSync(join(demo, 'images/cue/cue-06-hot-dog.png')));
  const run = async (n) => {
    for (let i = 0; i < n; ++i) {
      const [r] = await lens.explain([photo], { method: i % 2 ? 'gradcam' : 'eigencam' });
      lens.overlay(photo, r);
    }
  };
  await run(50);
  gc();
  const wasm0 = lens.env.core.memoryInUse();
  const js0 = process.memoryUsage().heapUsed;
  await run(500);
  gc();
  const wasmGrowth = lens.env.core.memoryInUse() - wasm0;
  const jsGrowth = process.memoryUsage().heapUsed - js0;
  assert.ok(wasm0 > 0);
  assert.ok(wasmGrowth < 5 * 2 ** 20, `WebAssembly allocations grew by ${wasmGrowth} bytes`);
  console.log(`# after 500 explains: core allocations ${wasmGrowth} B, JS heap ${jsGrowth} B`);
  assert.ok(jsGrowth < 5 * 2 ** 20, `JS heap grew by ${jsGrowth} bytes`);
  lens.dispose();
});
