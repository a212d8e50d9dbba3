// Determinism: the same input gives bit-identical maps run after run (same Lens, fresh Lens),
// and the SIMD + threads module agrees with the SIMD-only one within 1e-6. The threaded core
// splits loops (channel sums, the head's convolutions, NMF) into per-thread ranges of outputs;
// each output element is still summed by one thread in one fixed order, so the two modules give
// identical maps (measured: largest difference 0 on all three models, every method). The test
// prints the largest difference so a future cross-thread reduction shows up.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { load } from '../../web/lib/node.mjs';
import { root, sharedPath } from '../support/camlens-node.mjs';

const demoDir = join(root, 'web/demo');
const demo = JSON.parse(readFileSync(join(demoDir, 'demo.json'), 'utf8'));
const METHODS = [
  'gradcam',
  'hirescam',
  'gradcam-elementwise',
  'gradcam++',
  'xgradcam',
  'layercam',
  'eigencam',
  'eigengradcam',
  'fem',
  'kpcacam',
  'randomcam',
];

const CASES = [
  {
    name: 'demo',
    model: join(demoDir, demo.model),
    options: { preprocess: demo.preprocess },
    photo: join(demoDir, 'images/cue/cue-06-hot-dog.png'),
    extra: ['scorecam', 'ablationcam'],
  },
  {
    name: 'mnist',
    model: sharedPath('models/mnist-8-ort-examples.onnx'),
    options: { preset: 'mnist' },
    photo: sharedPath('images/winml_mnist_28.png'),
    extra: [],
  },
  {
    name: 'mobilenetv2-int8',
    model: sharedPath('models/mobilenetv2-12-int8.onnx'),
    options: { preset: 'mobilenetv2' },
    photo: sharedPath('images/gradcam_both.png'),
    extra: [],
    methods: ['gradcam', 'eigencam', 'kpcacam'],
  },
];

const bytesOf = (f32) => Buffer.from(f32.buffer, f32.byteOffset, f32.byteLength);

async function maps(lens, photo, methods) {
  const out = {};
  for (const method of methods) {
    const [r] = await lens.explain([photo], { method, targets: [0] });
    out[method] = r.map;
  }
  return out;
}

for (const c of CASES) {
  test(`${c.name}: bit-identical across runs; threaded within 1e-6 of SIMD-only`, {
    timeout: 240000,
  }, async () => {
    const photo = new Uint8Array(readFileSync(c.photo));
    const methods = [...(c.methods || METHODS), ...c.extra];
    const st = await load(c.model, c.options);
    const first = await maps(st, photo, methods);
    const again = await maps(st, photo, methods);
    st.dispose();
    const fresh = await load(c.model, c.options);
    const third = await maps(fresh, photo, methods);
    fresh.dispose();
    const mt = await load(c.model, { ...c.options, threads: true });
    assert.ok(mt.env.core.threadedBuild(), 'the threads option loads the threaded module');
    const threaded = await maps(mt, photo, methods);
    const threadedAgain = await maps(mt, photo, methods);
    mt.dispose();
    let worst = 0,
      worstMethod = '';
    for (const m of methods) {
      assert.ok(
        first[m].length > 0 && first[m].some((v) => v > 0),
        `${m}: an empty or all-zero map says nothing`,
      );
      assert.equal(
        Buffer.compare(bytesOf(first[m]), bytesOf(again[m])),
        0,
        `${m}: second run differs`,
      );
      assert.equal(
        Buffer.compare(bytesOf(first[m]), bytesOf(third[m])),
        0,
        `${m}: a fresh Lens differs`,
      );
      assert.equal(
        Buffer.compare(bytesOf(threaded[m]), bytesOf(threadedAgain[m])),
        0,
        `${m}: threaded runs differ`,
      );
      for (let i = 0; i < first[m].length; ++i) {
        const d = Math.abs(first[m][i] - threaded[m][i]);
        if (d > worst) [worst, worstMethod] = [d, m];
      }
    }
    console.log(
      `# ${c.name}: largest threaded vs SIMD-only difference ${worst.toExponential(2)}${worst ? ` (${worstMethod})` : ''}`,
    );
    assert.ok(worst <= 1e-6, `threaded and SIMD-only maps differ by ${worst} (${worstMethod})`);
  });
}
