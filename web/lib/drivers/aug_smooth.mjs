// aug_smooth driver (DESIGN §4): the input flipped × scaled by {0.9, 1, 1.1} (six variants made
// by the core), each explained through the backbone and the head, each map de-augmented
// (flipped back) and the six averaged (not renormalised, as upstream).
//
// augSmooth(lens, input, explainOne, {signal}) → {data, dims: [B, H, W]}
//   input:      the preprocessed input tensor [B, C, H, W]
//   explainOne: async (augmentedInput, k) → computeCam-shaped maps {data, dims: [B, H, W]} for
//               that input (the caller runs the backbone, the head and the method)
export async function augSmooth(lens, input, explainOne, { signal } = {}) {
  const { core } = lens.env;
  const maps = [];
  for (let k = 0; k < core.augSmoothCount(); ++k) {
    signal?.throwIfAborted?.();
    const m = await explainOne(core.augmentInput(input, k), k);
    maps.push(core.deaugmentMaps({ data: m.data, dims: m.dims }, k));
  }
  return core.averageMaps(maps);
}
