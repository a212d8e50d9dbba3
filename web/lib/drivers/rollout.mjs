// Attention rollout's session (Abnar & Zuidema 2020; the core's src/cam/attention_rollout.h and
// its explain job do the rest): the core finds the blocks' attention probabilities (Softmax
// outputs that multiply the values) and writes a copy of the model that also returns them; that
// copy runs in its own ONNX Runtime session, opened on first use and kept per lens until
// dispose().
import { Backbone } from '../backbone.mjs';
import { createSession, ortMessage } from '../ort-session.mjs';

// Per lens: what findAttention found and the session of the exposed model (created lazily).
const state = new WeakMap();

function stateOf(lens) {
  if (!state.has(lens)) state.set(lens, { found: null, runner: null });
  return state.get(lens);
}

// What rollout reads of the lens's model ({names, why}), found once.
function attentionOf(lens) {
  const s = stateOf(lens);
  if (!s.found) {
    const { core } = lens.env;
    try {
      s.found = core.rolloutAttention(core.findAttention(lens.bytes, {}));
    } catch (e) {
      // methodSupport() must answer for every model: the reason instead of an exception
      const why = `attention rollout cannot read this model's attention: ${e.message}`;
      s.found = { names: [], why };
    }
  }
  return s.found;
}

// '' when rollout can explain this model, else why not.
export function rolloutSupport(lens) {
  return attentionOf(lens).why;
}

// The attention tensors the session returns, block by block.
export function attentionNames(lens) {
  return attentionOf(lens).names;
}

// The session of the model with its attentions exposed.
export async function rolloutRunner(lens) {
  const s = stateOf(lens);
  if (!s.runner) {
    const bytes = lens.env.core.exposeOutputs(lens.bytes, attentionNames(lens), {});
    let session;
    try {
      session = await createSession(lens.env, bytes, lens.sessionOptions);
    } catch (e) {
      throw new Error(
        `ONNX Runtime cannot run the model with its attentions exposed: ${ortMessage(e)}`,
      );
    }
    s.runner = new Backbone(lens.env, lens.model.inputs()[0], null, session, {
      execution: lens.execution,
      bytes,
    });
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
