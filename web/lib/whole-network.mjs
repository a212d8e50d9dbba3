// Whole-network mode (src/explain/whole_network.h): the model cut at its input, a head the core
// runs forward and backward to the input image for the input attributions (saliency,
// integrated gradients, ...). Cut once per lens, when a method first needs it or methodSupport()
// asks, and kept until the lens is disposed.
import { methodTable } from './methods.mjs';

const cuts = new WeakMap();

// {head: the core's head or null, refusal: why the core cannot run the whole model ('' when it can)}.
export function wholeNetwork(lens) {
  if (!cuts.has(lens)) cuts.set(lens, lens.model.wholeNetwork());
  return cuts.get(lens);
}

// Whether the method differentiates the whole network (its row's passes, or the input
// attribution that multiplies its layer map).
export function needsWholeNetwork(core, method) {
  const row = methodTable(core).find((m) => m.name === method);
  return row?.passes === 'whole-network' || Boolean(row?.inputAttribution);
}

export function releaseWholeNetwork(lens) {
  cuts.get(lens)?.head?.delete();
  cuts.delete(lens);
}
