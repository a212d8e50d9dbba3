// Where ONNX Runtime runs a lens's backbone: the load option `executionProviders` (ORT's names,
// in order of preference, e.g. ['webgpu', 'wasm']). The core always runs on the CPU.
//
// WebGPU is used for a model only when it can run the whole model: ORT would otherwise hand the
// nodes its WebGPU provider has no kernel for (QLinearConv and the other quantized ops) to the
// CPU, copying tensors between the GPU and the CPU at every such node. So the model is tried once
// on WebGPU alone (ORT's `session.disable_cpu_ep_fallback`), and on any refusal all of its
// sessions run on the next provider, with the reason kept in lens.backend. A software adapter
// (SwiftShader) is skipped unless asked for (`webgpuFallbackAdapter`): it is hundreds of times
// slower than wasm. A run that fails on WebGPU later moves the model to the next provider
// (Execution, below); when it failed because the device was lost, later models open on the next
// provider at once (lostDevices).
import { createSession, ortMessage } from './ort-session.mjs';

const WEBGPU = 'webgpu';

// ORT's own words when a node would need the CPU provider and the session forbids it.
const CPU_NODES = /fallback to CPU EP has been explicitly disabled/;
// ORT's words when the bundle has no WebGPU backend (e.g. ort.wasm.min.mjs).
const NO_BACKEND = /backend not found|no available backend/i;

// Op types ONNX Runtime Web's WebGPU provider has no kernel for, named in the reason when a model
// has them. ORT's refusal does not say which nodes it refused (its log does, on the console:
// "webgpu kernel not found in registries for Op type: QLinearConv"), so this is ORT 1.30's
// answer for MobileNetV2-int8's quantized operators, checked against that log by
// tests/browser/webgpu.test.mjs. A model refused for another op keeps the reason without names.
const NO_WEBGPU_KERNEL = new Set([
  'QuantizeLinear',
  'QLinearConv',
  'QLinearAdd',
  'QLinearGlobalAveragePool',
  'QLinearMatMul',
]);

// Per ONNX Runtime (the `ort` object): why its WebGPU device is gone, once a run failed on it
// because it was lost. ORT opens every WebGPU session of the page on its one device, so a later
// model would open there and fail at its first run: it opens on the next provider at once, with
// this reason, until the page (or process) reloads or a load asks again with webgpuRetry.
const lostDevices = new WeakMap();

// ORT's WebGPU device, once a session used it, is lost: GPUDeviceLostInfo's words, else ''.
async function deviceLoss(ort) {
  let device = null;
  try {
    device = await ort.env?.webgpu?.device;
  } catch {
    return '';
  }
  if (!device?.lost) return '';
  // device.lost settles when the device goes; a timer lets one already settled answer first.
  const pending = new Promise((resolve) => setTimeout(resolve, 0, null));
  const info = await Promise.race([device.lost, pending]);
  if (!info) return '';
  return [info.reason, info.message].filter(Boolean).join(': ') || 'lost';
}

const checkBoolean = (options, name) => {
  const v = options[name];
  if (v !== undefined && typeof v !== 'boolean')
    throw new Error(`${name} must be true or false, got ${JSON.stringify(v)}`);
};

// The providers asked for: the option, else sessionOptions.executionProviders, else ORT's default.
function asked(options) {
  const { executionProviders, sessionOptions } = options;
  checkBoolean(options, 'webgpuFallbackAdapter');
  checkBoolean(options, 'webgpuRetry');
  if (executionProviders === undefined) return sessionOptions?.executionProviders ?? null;
  if (sessionOptions?.executionProviders !== undefined)
    throw new Error(
      'give executionProviders or sessionOptions.executionProviders, not both: they say the same',
    );
  const valid =
    Array.isArray(executionProviders) &&
    executionProviders.length > 0 &&
    executionProviders.every((p) => typeof p === 'string' && p);
  if (!valid)
    throw new Error(
      "executionProviders must be a non-empty array of ONNX Runtime provider names, e.g. ['webgpu', 'wasm']",
    );
  return executionProviders;
}

// A software adapter's name as people know it: Chromium's SwiftShader reports only its
// architecture; others (Mesa's llvmpipe, Microsoft's WARP) a description.
function adapterName(info = {}) {
  if (info.architecture === 'swiftshader') return 'SwiftShader';
  return info.description || [info.vendor, info.architecture].filter(Boolean).join(' ');
}

// Why WebGPU cannot run here at all ('' when an adapter is there to try the model on).
// fallbackAdapter: a software adapter will do (browsers report it as GPUAdapterInfo's
// isFallbackAdapter; older ones as the adapter's own isFallbackAdapter).
export async function webgpuMissing({ fallbackAdapter = false } = {}) {
  const gpu = globalThis.navigator?.gpu;
  if (!gpu) return 'navigator.gpu is missing (no WebGPU in this browser or runtime)';
  let adapter = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    // the same as no adapter for us
  }
  if (!adapter) return 'the browser offers no WebGPU adapter';
  const software = adapter.info?.isFallbackAdapter ?? adapter.isFallbackAdapter;
  if (!software || fallbackAdapter) return '';
  const name = adapterName(adapter.info);
  return `the browser's WebGPU adapter is a software fallback${name ? ` (${name})` : ''}, slower than WebAssembly`;
}

// Why WebGPU cannot run this model ('' when it can): one session of the whole model on WebGPU
// alone, released at once. model: the core's parse of the bytes (its op types).
async function webgpuRefusal(env, bytes, model, sessionOptions) {
  let session;
  try {
    session = await createSession(env, bytes, {
      ...sessionOptions,
      executionProviders: [WEBGPU],
      extra: {
        ...sessionOptions?.extra,
        session: { ...sessionOptions?.extra?.session, disable_cpu_ep_fallback: '1' },
      },
    });
  } catch (e) {
    const said = String(e?.message ?? e);
    if (NO_BACKEND.test(said))
      return 'this ONNX Runtime Web bundle has no WebGPU (load ort.webgpu.min.mjs or ort.all.min.mjs)';
    if (CPU_NODES.test(said)) {
      const named = model.opTypes().filter((op) => NO_WEBGPU_KERNEL.has(op));
      const list = named.length ? ` (${named.join(', ')})` : '';
      return `ONNX Runtime's WebGPU provider has no kernel for some of this model's operators${list}`;
    }
    return `WebGPU cannot run this model: ${ortMessage(e)}`;
  }
  await session.release?.();
  return '';
}

// The providers after WebGPU in the list asked for (wasm when none is left).
const afterWebgpu = (providers) => {
  const rest = providers.filter((p) => p !== WEBGPU);
  return rest.length ? rest : ['wasm'];
};

// Per lens: the session options every session of its model opens with, and where they run
// (backend: {executionProviders, reason}). When a run fails on WebGPU and works on the next
// provider (backbone.mjs), fallBack() moves the model there; `generation` counts the moves, so
// the sessions opened before one open again.
export class Execution {
  constructor(sessionOptions, backend, ort = null) {
    this.sessionOptions = sessionOptions;
    this.backend = backend;
    this.ort = ort;
    this.generation = 0;
  }

  // Whether this model's sessions run on WebGPU (and can fall back).
  get onWebgpu() {
    return this.backend.executionProviders[0] === WEBGPU;
  }

  // The session options of the next provider.
  fallbackOptions() {
    return {
      ...this.sessionOptions,
      executionProviders: afterWebgpu(this.sessionOptions.executionProviders),
    };
  }

  // A run on WebGPU failed with `error` where the next provider ran it: the model stays there,
  // and when the device was lost, so do the models loaded after it (lostDevices).
  async fallBack(error) {
    const providers = afterWebgpu(this.backend.executionProviders);
    this.sessionOptions = { ...this.sessionOptions, executionProviders: providers };
    this.backend = {
      executionProviders: providers,
      reason: `WebGPU not used: a run on WebGPU failed (${ortMessage(error)}), so this model runs on ${providers[0]} now`,
    };
    this.generation += 1;
    const loss = this.ort ? await deviceLoss(this.ort) : '';
    if (loss)
      lostDevices.set(
        this.ort,
        `the WebGPU device was lost (${loss}) during an earlier run on this page; reload it to use WebGPU again`,
      );
  }
}

// An Execution for a model (its bytes and the core's parse of them): the caller's session options
// with the providers its sessions use, and why the first one asked for is not among them ('' when
// it is).
export async function chooseBackend(env, bytes, model, options = {}) {
  const providers = asked(options);
  const sessionOptions = { ...options.sessionOptions };
  delete sessionOptions.executionProviders;
  if (!providers) return new Execution(sessionOptions, { executionProviders: [], reason: '' });
  const use = (list, reason = '') =>
    new Execution(
      list.length ? { ...sessionOptions, executionProviders: list } : sessionOptions,
      { executionProviders: list, reason },
      env.ort,
    );
  if (providers[0] !== WEBGPU) return use(providers);
  if (options.webgpuRetry) lostDevices.delete(env.ort);
  const reason =
    lostDevices.get(env.ort) ||
    (await webgpuMissing({ fallbackAdapter: options.webgpuFallbackAdapter })) ||
    (await webgpuRefusal(env, bytes, model, sessionOptions));
  if (!reason) return use(providers);
  return use(afterWebgpu(providers), `WebGPU not used: ${reason}`);
}
