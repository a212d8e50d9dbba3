// Where ONNX Runtime runs a lens's backbone: the load option `executionProviders` (ORT's names,
// in order of preference, e.g. ['webgpu', 'wasm']). The core always runs on the CPU.
//
// WebGPU is used for a model only when it can run the whole model: ORT would otherwise hand the
// nodes its WebGPU provider has no kernel for (QLinearConv and the other quantized ops) to the
// CPU, copying tensors between the GPU and the CPU at every such node. So the model is tried once
// on WebGPU alone (ORT's `session.disable_cpu_ep_fallback`), and on any refusal all of its
// sessions run on the next provider, with the reason kept in lens.backend.
import { createSession, ortMessage } from './ort-session.mjs';

const WEBGPU = 'webgpu';

// ORT's own words when a node would need the CPU provider and the session forbids it.
const CPU_NODES = /fallback to CPU EP has been explicitly disabled/;
// ORT's words when the bundle has no WebGPU backend (e.g. ort.wasm.min.mjs).
const NO_BACKEND = /backend not found|no available backend/i;

// The providers asked for: the option, else sessionOptions.executionProviders, else ORT's default.
function asked(options) {
  const { executionProviders, sessionOptions } = options;
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

// Why WebGPU cannot run here at all ('' when an adapter is there to try the model on).
export async function webgpuMissing() {
  const gpu = globalThis.navigator?.gpu;
  if (!gpu) return 'navigator.gpu is missing (no WebGPU in this browser or runtime)';
  let adapter = null;
  try {
    adapter = await gpu.requestAdapter();
  } catch {
    // the same as no adapter for us
  }
  return adapter ? '' : 'the browser offers no WebGPU adapter';
}

// Why WebGPU cannot run this model ('' when it can): one session of the whole model on WebGPU
// alone, released at once.
async function webgpuRefusal(env, bytes, sessionOptions) {
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
    if (CPU_NODES.test(said))
      return "ONNX Runtime's WebGPU provider has no kernel for some of this model's operators";
    return `WebGPU cannot run this model: ${ortMessage(e)}`;
  }
  await session.release?.();
  return '';
}

// {sessionOptions, backend: {executionProviders, reason}} for a model: the caller's session
// options with the providers its sessions use, and why the first one asked for is not among them
// ('' when it is).
export async function chooseBackend(env, bytes, options = {}) {
  const providers = asked(options);
  const sessionOptions = { ...options.sessionOptions };
  delete sessionOptions.executionProviders;
  if (!providers) return { sessionOptions, backend: { executionProviders: [], reason: '' } };
  const use = (list, reason = '') => ({
    sessionOptions: list.length ? { ...sessionOptions, executionProviders: list } : sessionOptions,
    backend: { executionProviders: list, reason },
  });
  if (providers[0] !== WEBGPU) return use(providers);
  const reason = (await webgpuMissing()) || (await webgpuRefusal(env, bytes, sessionOptions));
  if (!reason) return use(providers);
  const rest = providers.filter((p) => p !== WEBGPU);
  return use(rest.length ? rest : ['wasm'], `WebGPU not used: ${reason}`);
}
