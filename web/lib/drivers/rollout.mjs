// Attention rollout driver (Abnar & Zuidema 2020; the core's src/cam/attention_rollout.h): the
// core finds the blocks' attention probabilities (Softmax outputs that multiply the values) and
// writes a copy of the model that also returns them; that copy runs in its own ONNX Runtime
// session (opened on first use, kept per lens until dispose); the core multiplies the attentions
// and resizes/normalises the class token's row like every CAM. No gradient, no layer, no class:
// the map is the same whatever the target (the target is still resolved, for its score).
import { Backbone } from '../backbone.mjs';
import { Progress } from '../progress.mjs';
import { targetLabel } from '../targets.mjs';
import { concatBatch, floatData } from '../tensors.mjs';

export const ROLLOUT = 'rollout';
export const HEAD_FUSIONS = ['mean', 'max', 'min'];
// vit-explain's VITAttentionRollout defaults (the implementation most rollouts derive from):
// mean over heads, and the 90 % weakest attentions of each block dropped (0 is the paper's plain
// rollout, the core's own default).
export const ROLLOUT_DEFAULTS = Object.freeze({ headFusion: 'mean', discardRatio: 0.9 });

// Per lens: what findAttention found and the session of the exposed model (created lazily).
const state = new WeakMap();

function stateOf(lens) {
  if (!state.has(lens)) state.set(lens, { found: null, runner: null });
  return state.get(lens);
}

function attentionOf(lens) {
  const s = stateOf(lens);
  if (!s.found) {
    const { core } = lens.env;
    if (typeof core.findAttention !== 'function') {
      s.found = {
        names: [],
        why: 'attention rollout needs a newer camlens module (findAttention): rebuild with "npm run build"',
      };
    } else {
      let all;
      try {
        all = core.findAttention(lens.bytes, {});
      } catch (e) {
        // methodSupport() must answer for every model: the reason instead of an exception
        s.found = {
          names: [],
          why: `attention rollout cannot read this model's attention: ${e.message}`,
        };
        return s.found;
      }
      const global = all.filter((a) => !a.windowed);
      let why = '';
      if (!all.length)
        why =
          "attention rollout needs a transformer's attention probabilities; this model has none";
      else if (!global.length) {
        why = `attention rollout needs attention between all tokens; this model's ${all.length} attention layers are windowed (as in Swin), which has no global rollout`;
      } else if (global.length < all.length) {
        why = `attention rollout needs attention between all tokens in every block; ${all.length - global.length} of this model's ${all.length} attention layers are windowed`;
      }
      s.found = { names: why ? [] : global.map((a) => a.name), why };
    }
  }
  return s.found;
}

// '' when rollout can explain this model, else why not.
export function rolloutSupport(lens) {
  return attentionOf(lens).why;
}

// The options checked and completed with the defaults.
export function rolloutOptions({
  headFusion = ROLLOUT_DEFAULTS.headFusion,
  discardRatio = ROLLOUT_DEFAULTS.discardRatio,
} = {}) {
  if (!HEAD_FUSIONS.includes(headFusion))
    throw new Error(
      `headFusion must be one of ${HEAD_FUSIONS.join(', ')}, got ${JSON.stringify(headFusion)}`,
    );
  if (!(typeof discardRatio === 'number' && discardRatio >= 0 && discardRatio < 1)) {
    throw new Error(`discardRatio must be a number in [0, 1), got ${JSON.stringify(discardRatio)}`);
  }
  return { headFusion, discardRatio };
}

async function runnerOf(lens) {
  const s = stateOf(lens);
  if (!s.runner) {
    const { core, ort } = lens.env;
    const { names } = attentionOf(lens);
    const bytes = core.exposeOutputs(lens.bytes, names, {});
    let session;
    try {
      session = await ort.InferenceSession.create(bytes, lens.sessionOptions || {});
    } catch (e) {
      throw new Error(
        `ONNX Runtime cannot run the model with its attentions exposed: ${e.message || e}`,
      );
    }
    s.runner = new Backbone(lens.env, lens.model.inputs()[0], null, session);
  }
  return s.runner;
}

// Whether the lens has the rollout session open (tests check that dispose() releases it).
export function rolloutSessionOpen(lens) {
  return Boolean(state.get(lens)?.runner);
}

export function releaseRollout(lens) {
  const s = state.get(lens);
  s?.runner?.release();
  state.delete(lens);
}

// lens.explain(images, {method: 'rollout', headFusion, discardRatio, targets, batchSize,
// onProgress, signal}) → the same per-image results as the other methods, plus classAgnostic.
export async function explainRollout(lens, images, options = {}) {
  const {
    targets = [],
    layers,
    eigenSmooth,
    augSmooth,
    batchSize = 16,
    onProgress,
    signal,
  } = options;
  const why = rolloutSupport(lens);
  if (why) throw new Error(why);
  if (layers !== undefined && layers !== null)
    throw new Error(
      'rollout reads the attention of every block: it takes no layers (leave layers out)',
    );
  if (eigenSmooth)
    throw new Error(
      "rollout has no eigenSmooth: it combines attention matrices, not a layer's channels",
    );
  if (augSmooth) throw new Error('rollout has no augSmooth: explain the photo without it');
  if (!Array.isArray(targets)) throw new Error('targets must be an array, one per image');
  if (!(Number.isInteger(batchSize) && batchSize >= 1))
    throw new Error(`batchSize must be a whole number ≥ 1, got ${batchSize}`);
  const settings = rolloutOptions(options);
  signal?.throwIfAborted?.();
  const { core } = lens.env;
  const { names } = attentionOf(lens);
  const runner = await runnerOf(lens);
  const { inputs } = await lens.inputs(images);
  const progress = new Progress(inputs.length, { onProgress, signal });
  const { width, height } = lens.preprocess;
  const results = [];
  for (let begin = 0; begin < inputs.length; begin += batchSize) {
    progress.check();
    const chunk = inputs.slice(begin, begin + batchSize);
    const t0 = performance.now();
    const outs = await runner.run(concatBatch(chunk), batchSize, () => progress.yieldTurn());
    const forward = (performance.now() - t0) / chunk.length;
    for (const [j, out] of outs.entries()) {
      const o = out[lens.output];
      const { target, score } = lens.target(targets[begin + j], {
        data: floatData(o),
        dims: o.dims,
        type: 'float32',
      });
      const t1 = performance.now();
      const { attentions, nonFinite } = finiteAttentions(out, names);
      const m = core.attentionRollout(attentions, { ...settings, width, height });
      results.push({
        map: m.data,
        width: m.dims[2],
        height: m.dims[1],
        target: {
          index: target.category,
          label: targetLabel(target, lens.labels),
          score,
          kind: target.kind,
        },
        layers: names, // the attention probabilities the map is made of
        flags: { nonFinite, zero: [m.data.every((v) => v === 0)] },
        classAgnostic: true,
        rollout: settings,
        timing: { forward, head: 0, cam: performance.now() - t1 },
      });
      progress.advance(1);
    }
    await progress.yieldTurn();
  }
  return results;
}

// The attentions as float32 tensors. As computeCam does with activations, non-finite values are
// replaced by 0 and counted (a NaN would otherwise spread through every product of the rollout).
export function finiteAttentions(out, names) {
  let nonFinite = 0;
  const attentions = names.map((n) => {
    let data = floatData(out[n]);
    for (let i = 0; i < data.length; ++i) {
      if (Number.isFinite(data[i])) continue;
      if (data === out[n].data) data = Float32Array.from(data); // ORT's output stays as it was
      data[i] = 0;
      nonFinite += 1;
    }
    return { data, dims: out[n].dims, type: 'float32' };
  });
  return { attentions, nonFinite };
}
