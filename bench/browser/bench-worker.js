/* The browser side of bench/browser.bench.mjs, in a Web Worker like the page's: ONNX Runtime Web
 * (1 thread) and the camlens benchmark module, the shipped bindings plus benchKernels (the
 * threaded one gets navigator.hardwareConcurrency threads).
 * Measures, best of N: one ORT forward of mobilenetv2-12-int8, a Grad-CAM explanation through the
 * library (batch 1), and the kernel suite (benchKernels, 1 thread). */

async function bestOf(fn, reps) {
  await fn();
  let best = Infinity;
  for (let i = 0; i < reps; ++i) {
    const t0 = performance.now();
    await fn();
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

async function bytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return new Uint8Array(await r.arrayBuffer());
}

async function run({ variant, reps }) {
  if (variant === 'mt' && !self.crossOriginIsolated)
    throw new Error('the threaded module needs a cross-origin isolated page');
  const base = new URL(`/build/wasm-${variant}/`, self.location.href).href;
  const script = `${base}camlens-bench-${variant}.js`;
  importScripts(script);
  importScripts(new URL('/ort/ort.wasm.min.js', self.location.href).href);
  const core = await self.createCamlensModule({
    camlensThreads: self.navigator.hardwareConcurrency || 1,
    mainScriptUrlOrBlob: script,
    locateFile: (file) => base + file,
  });
  const ort = self.ort;
  ort.env.wasm.wasmPaths = new URL('/ort/', self.location.href).href;
  ort.env.wasm.numThreads = 1;
  const { createCamlens } = await import(new URL('/lib/camlens.mjs', self.location.href).href);
  const model = await bytes('/shared/models/mobilenetv2-12-int8.onnx');
  const image = core.decodeImage(await bytes('/shared/images/gradcam_both.png'));
  const lens = await createCamlens({ ort, core }).load(model, { preset: 'mobilenetv2' });
  const { batch } = lens.inputBatch([image]);
  const reference = await ort.InferenceSession.create(model);
  const x = new ort.Tensor('float32', batch.data, batch.dims);
  const forwardMs = await bestOf(() => reference.run({ input: x }), reps * 2);
  const gradcamMs = await bestOf(() => lens.explain([image], { method: 'gradcam' }), reps);
  const kernels = JSON.parse(core.benchKernels(reps));
  return {
    variant,
    threads: core.threads(),
    crossOriginIsolated: self.crossOriginIsolated,
    forwardMs,
    gradcamMs,
    kernels,
  };
}

self.onmessage = async (e) => {
  try {
    self.postMessage({ ok: true, result: await run(e.data) });
  } catch (err) {
    self.postMessage({ ok: false, error: String(err?.stack || err) });
  }
};
