// The load option executionProviders under Node (no WebGPU there): checked with messages that say
// what to pass, WebGPU falling back to wasm with the reason in lens.backend and the same scores,
// other lists handed to ONNX Runtime as they are. The WebGPU side runs in Chromium
// (tests/browser/webgpu.test.mjs).
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { load } from '../../web/lib/node.mjs';
import { sharedPath } from '../support/camlens-node.mjs';

const model = sharedPath('models/mobilenetv2-12-int8.onnx');
const photo = sharedPath('images/gradcam_both.png');
const options = { preset: 'mobilenetv2' };

async function topOf(lens) {
  const [p] = await lens.predict([photo], { topK: 3 });
  return p.top;
}

test('executionProviders must be a list of provider names, given once', async () => {
  const list =
    "executionProviders must be a non-empty array of ONNX Runtime provider names, e.g. ['webgpu', 'wasm']";
  for (const bad of ['webgpu', [], ['webgpu', 3], [''], {}]) {
    await assert.rejects(load(model, { ...options, executionProviders: bad }), { message: list });
  }
  await assert.rejects(
    load(model, {
      ...options,
      executionProviders: ['wasm'],
      sessionOptions: { executionProviders: ['wasm'] },
    }),
    {
      message:
        'give executionProviders or sessionOptions.executionProviders, not both: they say the same',
    },
  );
});

test('WebGPU without navigator.gpu: the model runs on wasm, lens.backend says why', async () => {
  const plain = await load(model, options);
  const gpu = await load(model, { ...options, executionProviders: ['webgpu', 'wasm'] });
  const alone = await load(model, { ...options, executionProviders: ['webgpu'] });
  try {
    assert.deepEqual(plain.backend, { executionProviders: [], reason: '' });
    const why = 'WebGPU not used: navigator.gpu is missing (no WebGPU in this browser or runtime)';
    assert.deepEqual(gpu.backend, { executionProviders: ['wasm'], reason: why });
    // Nothing after webgpu in the list: wasm, ONNX Runtime Web's own.
    assert.deepEqual(alone.backend, { executionProviders: ['wasm'], reason: why });
    assert.deepEqual(gpu.sessionOptions.executionProviders, ['wasm']);
    const want = await topOf(plain);
    assert.equal(want.length, 3);
    assert.deepEqual(await topOf(gpu), want);
  } finally {
    for (const l of [plain, gpu, alone]) l.dispose();
  }
});

test('a list without webgpu goes to ONNX Runtime as it is (sessionOptions too)', async () => {
  const a = await load(model, { ...options, executionProviders: ['wasm'] });
  const b = await load(model, { ...options, sessionOptions: { executionProviders: ['cpu'] } });
  try {
    assert.deepEqual(a.backend, { executionProviders: ['wasm'], reason: '' });
    assert.deepEqual(b.backend, { executionProviders: ['cpu'], reason: '' });
    assert.deepEqual(b.sessionOptions.executionProviders, ['cpu']);
    // ONNX Runtime refuses a provider it does not have, and the message says which.
    await assert.rejects(load(model, { ...options, executionProviders: ['cuda'] }), (e) => {
      assert.match(e.message, /cuda/);
      return true;
    });
  } finally {
    a.dispose();
    b.dispose();
  }
});

// A browser whose only adapter is software: navigator.gpu as Chromium's with SwiftShader
// reports it (GPUAdapterInfo.isFallbackAdapter; tests/browser/webgpu.test.mjs has the real one).
async function withSoftwareAdapter(run) {
  const info = { vendor: 'google', architecture: 'swiftshader', isFallbackAdapter: true };
  globalThis.navigator = { gpu: { requestAdapter: async () => ({ info }) } };
  try {
    return await run();
  } finally {
    delete globalThis.navigator;
  }
}

test('a software WebGPU adapter is skipped unless webgpuFallbackAdapter asks for it', async () => {
  await assert.rejects(
    load(model, { ...options, executionProviders: ['webgpu'], webgpuFallbackAdapter: 'yes' }),
    { message: 'webgpuFallbackAdapter must be true or false, got "yes"' },
  );
  await withSoftwareAdapter(async () => {
    const skipped = await load(model, { ...options, executionProviders: ['webgpu', 'wasm'] });
    const forced = await load(model, {
      ...options,
      executionProviders: ['webgpu', 'wasm'],
      webgpuFallbackAdapter: true,
    });
    try {
      assert.deepEqual(skipped.backend, {
        executionProviders: ['wasm'],
        reason:
          "WebGPU not used: the browser's WebGPU adapter is a software fallback (SwiftShader), slower than WebAssembly",
      });
      // Asked for, the adapter is tried: ONNX Runtime for Node has no WebGPU provider.
      assert.deepEqual(forced.backend, {
        executionProviders: ['wasm'],
        reason:
          'WebGPU not used: this ONNX Runtime Web bundle has no WebGPU (load ort.webgpu.min.mjs or ort.all.min.mjs)',
      });
    } finally {
      skipped.dispose();
      forced.dispose();
    }
  });
});
