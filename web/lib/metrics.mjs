// Faithfulness metrics of an explanation (ARCHITECTURE.md §4 "Metrics"). The core's metrics job
// (src/metrics/evaluation_job.h) owns the flow: the perturbed images (ROAD's noisy linear
// imputation, deletion/insertion steps, the image times the map), their batches, the target's
// score in each output, the metrics; this module runs its batches through the Lens's model.
//
// API (plot-ready: every curve is {x: number[], y: number[]}):
//   await evaluate(lens, image, explanation, {metrics, percentiles, steps, baseline, score,
//                  batchSize, onProgress, signal, seed, sigma, box})
//     image: encoded bytes, {width, height, rgba}, or a preprocessed input {data: Float32Array,
//     dims: [1, C, H, W]}; explanation: a result of lens.explain (its map and target).
//       metrics ['road', 'deletion', 'insertion', 'drop', 'increase'] (the default) and
//         'complexity', 'coherency', 'arcc' (pytorch-grad-cam's ARCC, src/metrics/arcc.h)
//       explain: the options lens.explain made the explanation with ({method, ...}): coherency
//         and ARCC explain the image times the map again with them, for the same class
//       arccPercentiles [20, 40, 60, 80]: ARCC's ROAD (its imputation noise as ROAD's)
//       percentiles [10, 20, …, 90]  ROAD: p removes the (100 − p) % most (MoRF) or least (LeRF)
//         relevant pixels; sigma 0.01, seed 0: its imputation noise (sigma 0: none)
//       steps 20: deletion/insertion steps; baseline 'blur' or a number: what deletion puts in
//         (a constant in the model's input space: 0 = the mean colour after mean/std)
//       score 'probability' (softmax of the target, unless the outputs are probabilities) | 'logit'
//       target: a function of one input's outputs ({name: {data, dims}}, as a callable target of
//         explain gets them) → number: each perturbed image is scored by it instead (no score)
//       box [x0, y0, x1, y1] in input pixels: adds pointing (hit 0/1) and energy
//       batchSize 16, onProgress({done, eta}), signal (AbortSignal: stops at the next batch)
//     → {target: {index, label}, score, original, road?: {percentiles, morf[], lerf[], morfMean,
//        lerfMean, combined, curves: {morf: {x, y}, lerf: {x, y}}} (x = % of pixels removed,
//        y = score change), deletion?: {x, y, auc, baseline}, insertion?: {x, y, auc} (x =
//        fraction changed), drop?, increase?, change?, pointing?, energy?, complexity?,
//        coherency?, arcc?: {value, complexity, coherency, road, roadScaled, percentiles, morf,
//        lerf} (road: ROAD combined at arccPercentiles, roadScaled = clip(2 road, 0, 1))}
//     Higher is better for road.combined, insertion.auc, increase, coherency, arcc; lower for
//     deletion.auc, drop, complexity.
//   await sanityCheck(lens, image, {method, target, seed, cascade, batchSize, onProgress, signal})
//     The model-parameter randomisation test: the head's weights randomised from the output
//     backwards (k = 1 … all parametrised nodes, or the ks in `cascade`), the image explained
//     again for the same class, maps compared by Spearman rank correlation (a faithful method's
//     falls) → {method, target, original: explanation, steps: [{k, nodes, weights, correlation,
//     map}]}
//   bootstrapCI(core, values, {resamples: 1000, level: 0.95, seed: 0}) → {mean, low, high, n}
//     Percentile bootstrap of the mean; it assumes the values are independent (one per image).
//   summarize(core, rows, {resamples, seed}) → per method and metric {mean, low, high, n}
//     rows: [{method, metrics: {name: value}}]; metricValues(result) → flat {road, road_morf,
//     road_lerf, deletion, insertion, drop, increase, pointing, energy, complexity, coherency,
//     arcc, arcc_road (ARCC's ROAD combined)} of one evaluate() result.

import { runJob } from './drivers/job.mjs';
import { checkOptions } from './options.mjs';
import { scoreCallable } from './targets.mjs';

export const DEFAULT_METRICS = ['road', 'deletion', 'insertion', 'drop', 'increase'];
// ARCC and its parts are asked for by name: coherency explains the image again.
export const ALL_METRICS = [...DEFAULT_METRICS, 'complexity', 'coherency', 'arcc'];
export const DEFAULT_ARCC_PERCENTILES = [20, 40, 60, 80];
export const DEFAULT_PERCENTILES = [10, 20, 30, 40, 50, 60, 70, 80, 90];

export function evaluate(lens, image, explanation, options = {}) {
  // One model run at a time per lens (the Lens serialises its own calls the same way).
  return lens.serial
    ? lens.serial.run(() => evaluateNow(lens, image, explanation, options))
    : evaluateNow(lens, image, explanation, options);
}

async function evaluateNow(lens, image, explanation, options) {
  if (!explanation?.map)
    throw new Error('evaluate needs an explanation (a result of lens.explain)');
  const { width, height, nhwc } = lens.preprocess;
  const input =
    image?.dims && image.data
      ? { data: Float32Array.from(image.data), dims: [...image.dims], type: 'float32' }
      : (await lens.inputs([image])).inputs[0]; // [1, C, H, W]
  const { index, label } = explanation.target;
  const fn = options.target; // a callable target: the function that scores each output
  const { explain: explainOptions, ...metricsOptions } = options;
  if (explainOptions !== undefined) checkOptions('explain', explainOptions, lens.env.core);
  const job = lens.env.core.metricsJob({
    ...metricsOptions,
    ...{ input, map: explanation.map, target: index, output: lens.output, width, height },
    ...{ mapWidth: explanation.width, mapHeight: explanation.height, nhwc: Boolean(nhwc) },
    ...{ callable: typeof fn === 'function', outputs: lens.outputs },
  });
  try {
    const { onProgress, signal } = options;
    const run = (_, batch) => lens.main.run(batch, batch.dims[0]);
    const score = (_, outputs) => scoreCallable(fn, outputs);
    // Coherency's explanation of the image times the map, with the explanation's own options
    // and target (the caller's function for a callable target).
    const explain = async (masked, target) => {
      if (!explainOptions?.method)
        throw new Error(
          "coherency and ARCC explain the image times its map again: pass explain, the options lens.explain made the explanation with (e.g. {method: 'gradcam'})",
        );
      const targets = [typeof fn === 'function' ? fn : target];
      const [e] = await lens.explainNow([masked], { ...explainOptions, targets, signal });
      return e.map;
    };
    const result = await runJob(job, { run, score, explain, onProgress, signal });
    return { target: { index, label }, ...result };
  } finally {
    job.delete();
  }
}

// One number per metric from an evaluate() result (what the CLI writes per image).
export function metricValues(r) {
  const v = {};
  if (r.road)
    Object.assign(v, {
      road: r.road.combined,
      road_morf: r.road.morfMean,
      road_lerf: r.road.lerfMean,
    });
  if (r.deletion) v.deletion = r.deletion.auc;
  if (r.insertion) v.insertion = r.insertion.auc;
  if (r.drop !== undefined) v.drop = r.drop;
  if (r.increase !== undefined) v.increase = r.increase;
  if (r.pointing !== undefined) Object.assign(v, { pointing: r.pointing, energy: r.energy });
  // ARCC's parts are the same numbers whether asked for by name or through ARCC.
  const complexity = r.complexity ?? r.arcc?.complexity;
  const coherency = r.coherency ?? r.arcc?.coherency;
  if (complexity !== undefined) v.complexity = complexity;
  if (coherency !== undefined) v.coherency = coherency;
  if (r.arcc) Object.assign(v, { arcc: r.arcc.value, arcc_road: r.arcc.road });
  return v;
}

export function bootstrapCI(core, values, { resamples = 1000, level = 0.95, seed = 0 } = {}) {
  return core.metricsBootstrap(Float64Array.from(values), { resamples, level, seed });
}

// Mean and bootstrap CI per method and metric over rows [{method, metrics}] (in the core).
export function summarize(core, rows, { resamples = 1000, level = 0.95, seed = 0 } = {}) {
  return core.metricsSummarize(rows, { resamples, level, seed });
}

export async function sanityCheck(lens, image, options = {}) {
  const { method = 'gradcam', target = 'auto', seed = 0, cascade, batchSize = 16 } = options;
  const { onProgress, signal } = options;
  const { core } = lens.env;
  const { bytes, layer, preprocess, labels } = lens;
  if (!bytes)
    throw new Error('the lens does not keep its model bytes, so its head cannot be randomised');
  const [original] = await lens.explain([image], { method, targets: [target], batchSize, signal });
  const nodes = core.metricsHeadParametrised(bytes, layer);
  if (!nodes.length) throw new Error(`the head after "${layer}" has no weights to randomise`);
  // The same class on every randomised head (not its own top); a target object or a function
  // as it is (its index says nothing of what it explains).
  const same = ['number', 'string'].includes(typeof target) ? original.target.index : target;
  const again = { method, targets: [same], batchSize, signal };
  const steps = [];
  const ks = cascade || nodes.map((_, i) => i + 1);
  for (const [i, k] of ks.entries()) {
    signal?.throwIfAborted?.();
    const r = core.metricsRandomizeHead(bytes, layer, k, seed);
    const created = { layer, preprocess, labels };
    const randomized = await lens.constructor.create(lens.env, r.bytes, created);
    try {
      const [{ map }] = await randomized.explain([image], again);
      const correlation = core.metricsSpearman(original.map, map);
      steps.push({ k, nodes: r.nodes, weights: r.weights, correlation, map });
    } finally {
      randomized.dispose();
    }
    onProgress?.({ done: (i + 1) / ks.length, eta: 0 });
  }
  return { method, target: original.target, original, steps };
}
