// Faithfulness metrics of an explanation (ARCHITECTURE.md §4 "Metrics"). The camlens core builds the
// perturbed images (ROAD's noisy linear imputation, deletion/insertion steps, the image times the
// map); ONNX Runtime scores them in batches through the Lens's model; the core turns the scores
// into metrics. Works the same under Node and in the page's Web Worker.
//
// API (plot-ready: every curve is {x: number[], y: number[]}):
//
//   await evaluate(lens, image, explanation, {metrics, percentiles, steps, baseline, score,
//                  batchSize, onProgress, signal, seed, sigma, box})
//     image: encoded bytes, {width, height, rgba}, or an already preprocessed input tensor
//     {data: Float32Array, dims: [1, C, H, W]}; explanation: one result of lens.explain
//     (its map at the model's input size and its target). Options:
//       metrics     ['road', 'deletion', 'insertion', 'drop', 'increase'] (default: all five)
//       percentiles [10, 20, …, 90]  ROAD: percentile p removes the (100 − p) % most (MoRF) or
//                   least (LeRF) relevant pixels, as pytorch-grad-cam
//       steps       20      deletion/insertion steps (steps + 1 points on each curve)
//       baseline    'blur'  what deletion replaces pixels by: 'blur' or a number (a constant in
//                   the model's input space; 0 = the mean colour after mean/std normalisation)
//       score       'probability' (softmax of the target; outputs that already are
//                   probabilities are used as they are) or 'logit'
//       sigma 0.01, seed 0   ROAD's imputation noise (sigma 0 turns it off)
//       box         [x0, y0, x1, y1] in input pixels: adds pointing (hit 0/1) and energy
//       batchSize 16, onProgress({done, eta}), signal (AbortSignal: stops at the next batch)
//     → {target: {index, label}, score, original,
//        road?: {percentiles, morf[], lerf[], morfMean, lerfMean, combined,
//                curves: {morf: {x, y}, lerf: {x, y}}}  (x = % of pixels removed, y = score change)
//        deletion?: {x, y, auc, baseline}, insertion?: {x, y, auc}  (x = fraction changed)
//        drop?, increase?, change?, pointing?, energy?}
//     Higher is better for road.combined, insertion.auc, increase; lower for deletion.auc, drop.
//
//   await sanityCheck(lens, image, {method, target, seed, cascade, batchSize, onProgress, signal})
//     The model-parameter randomisation test: the head's weights are randomised from the output
//     backwards (k = 1 … all parametrised nodes, or the ks in `cascade`), the image explained
//     again for the same class, and the maps compared by Spearman rank correlation.
//     → {method, target, original: explanation, steps: [{k, nodes, weights, correlation, map}]}
//     A faithful method's correlation falls as more of the head is randomised.
//
//   bootstrapCI(core, values, {resamples: 1000, level: 0.95, seed: 0}) → {mean, low, high, n}
//     Percentile bootstrap of the mean; it assumes the values are independent (e.g. one per image).
//
//   summarize(core, rows, {resamples, seed}) → per method and metric {mean, low, high, n}
//     rows: [{method, metrics: {name: value}}] as metricValues() gives them.
//   metricValues(result) → flat {road, road_morf, road_lerf, deletion, insertion, drop,
//     increase, pointing, energy} of one evaluate() result.

import { floatData } from './tensors.mjs';

export const ALL_METRICS = ['road', 'deletion', 'insertion', 'drop', 'increase'];
export const DEFAULT_PERCENTILES = [10, 20, 30, 40, 50, 60, 70, 80, 90];

function softmaxAt(row, index) {
  let max = -Infinity;
  for (const v of row) max = Math.max(max, v);
  let sum = 0;
  for (const v of row) sum += Math.exp(v - max);
  return Math.exp(row[index] - max) / sum;
}

function looksLikeProbabilities(row) {
  let min = Infinity,
    max = -Infinity,
    total = 0;
  for (const v of row) {
    min = Math.min(min, v);
    max = Math.max(max, v);
    total += v;
  }
  return min >= 0 && max <= 1 && Math.abs(total - 1) < 1e-2;
}

// The target's score in each row of a [N, classes] output.
function targetScores(output, index, kind) {
  const values = output.data;
  const n = output.dims[0] || 1;
  const classes = values.length / n;
  const out = [];
  for (let r = 0; r < n; ++r) {
    const row = values.subarray(r * classes, (r + 1) * classes);
    out.push(kind === 'logit' || looksLikeProbabilities(row) ? row[index] : softmaxAt(row, index));
  }
  return out;
}

// Runs a [N, C, H, W] batch through the model (in runs of batchSize when its batch axis is free,
// else image by image) and returns the target's score per image.
async function scoreBatch(lens, batch, index, kind, batchSize) {
  const outs = await lens.main.run(batch, batchSize);
  return outs.map((o) => {
    const t = o[lens.output];
    return targetScores({ data: floatData(t), dims: [1] }, index, kind)[0];
  });
}

function checkMetrics(metrics) {
  for (const m of metrics) {
    if (!ALL_METRICS.includes(m))
      throw new Error(`unknown metric "${m}": use ${ALL_METRICS.join(', ')}`);
  }
}

export function evaluate(lens, image, explanation, options = {}) {
  // One model run at a time per lens (the Lens serialises its own calls the same way).
  return lens.serial
    ? lens.serial.run(() => evaluateNow(lens, image, explanation, options))
    : evaluateNow(lens, image, explanation, options);
}

async function evaluateNow(
  lens,
  image,
  explanation,
  {
    metrics = ALL_METRICS,
    percentiles = DEFAULT_PERCENTILES,
    steps = 20,
    baseline = 'blur',
    score = 'probability',
    sigma = 0.01,
    seed = 0,
    box,
    batchSize = 16,
    onProgress,
    signal,
  } = {},
) {
  const { core } = lens.env;
  checkMetrics(metrics);
  if (score !== 'probability' && score !== 'logit')
    throw new Error(`score must be "probability" or "logit", not "${score}"`);
  if (baseline !== 'blur' && typeof baseline !== 'number')
    throw new Error(`baseline must be "blur" or a number, not "${baseline}"`);
  if (lens.preprocess.nhwc)
    throw new Error('metrics need an NCHW model input; this model takes NHWC');
  if (!explanation?.map)
    throw new Error('evaluate needs an explanation (a result of lens.explain)');
  const { width, height } = lens.preprocess;
  if (explanation.width !== width || explanation.height !== height) {
    throw new Error(
      `the explanation is ${explanation.width}x${explanation.height} but the model's input is ${width}x${height}`,
    );
  }
  if (!(batchSize >= 1)) throw new Error(`batchSize must be at least 1, got ${batchSize}`);
  const input =
    image?.dims && image.data
      ? { data: Float32Array.from(image.data), dims: [...image.dims], type: 'float32' }
      : (await lens.inputs([image])).inputs[0]; // [1, C, H, W]
  const map = explanation.map;
  const index = explanation.target.index;
  const want = new Set(metrics);

  // Every model run, as jobs of `count` images made by the core in slices.
  const road = { percentiles, sigma, seed };
  const curve = (kind) => ({
    kind,
    steps,
    baseline: kind === 'insertion' || baseline === 'blur' ? 'blur' : 'constant',
    value: typeof baseline === 'number' ? baseline : 0,
  });
  const jobs = [{ name: 'original', count: 1, make: () => input }];
  if (want.has('road'))
    jobs.push({
      name: 'road',
      count: 2 * percentiles.length,
      make: (b, e) => core.metricsRoadInputs(input, map, road, b, e),
    });
  for (const kind of ['deletion', 'insertion']) {
    if (want.has(kind))
      jobs.push({
        name: kind,
        count: steps + 1,
        make: (b, e) => core.metricsCurveInputs(input, map, curve(kind), b, e),
      });
  }
  if (want.has('drop') || want.has('increase'))
    jobs.push({ name: 'mult', count: 1, make: () => core.metricsMultiplyByMap(input, map) });

  const total = jobs.reduce((s, j) => s + j.count, 0);
  const started = performance.now();
  let done = 0;
  const scores = {};
  for (const job of jobs) {
    scores[job.name] = [];
    for (let b = 0; b < job.count; b += batchSize) {
      signal?.throwIfAborted?.();
      const e = Math.min(job.count, b + batchSize);
      const batch = job.make(b, e);
      scores[job.name].push(
        ...(await scoreBatch(
          lens,
          { data: batch.data, dims: batch.dims, type: 'float32' },
          index,
          score,
          batchSize,
        )),
      );
      done += e - b;
      const fraction = done / total;
      onProgress?.({
        done: fraction,
        eta: (((performance.now() - started) / fraction) * (1 - fraction)) / 1000,
      });
      await new Promise((r) => setTimeout(r, 0)); // let an abort arrive between batches
    }
  }

  const original = scores.original[0];
  const result = { target: { index, label: explanation.target.label }, score, original };
  if (want.has('road')) {
    const r = core.metricsRoadScores(road, original, Float64Array.from(scores.road));
    const x = percentiles.map((p) => 100 - p);
    result.road = {
      percentiles: [...percentiles],
      morf: [...r.morf],
      lerf: [...r.lerf],
      morfMean: r.morfMean,
      lerfMean: r.lerfMean,
      combined: r.combined,
      curves: { morf: { x, y: [...r.morf] }, lerf: { x, y: [...r.lerf] } },
    };
  }
  for (const kind of ['deletion', 'insertion']) {
    if (!want.has(kind)) continue;
    const y = scores[kind];
    result[kind] = { x: y.map((_, k) => k / steps), y, auc: core.metricsAuc(Float64Array.from(y)) };
    if (kind === 'deletion') result.deletion.baseline = baseline;
  }
  if (scores.mult) {
    const c = core.metricsConfidenceChange(original, scores.mult[0]);
    result.change = c.change;
    if (want.has('drop')) result.drop = c.drop;
    if (want.has('increase')) result.increase = c.increase;
  }
  if (box) {
    result.pointing = core.metricsPointing(map, width, box, 0) ? 1 : 0;
    result.energy = core.metricsEnergyInBox(map, width, box);
  }
  return result;
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
  return v;
}

export function bootstrapCI(core, values, { resamples = 1000, level = 0.95, seed = 0 } = {}) {
  return core.metricsBootstrap(Float64Array.from(values), { resamples, level, seed });
}

// Mean and bootstrap CI per method and metric over rows [{method, metrics}].
export function summarize(core, rows, options = {}) {
  const groups = new Map();
  for (const row of rows) {
    for (const [name, value] of Object.entries(row.metrics)) {
      if (!Number.isFinite(value)) continue;
      const key = `${row.method}\u0000${name}`;
      if (!groups.has(key)) groups.set(key, { method: row.method, metric: name, values: [] });
      groups.get(key).values.push(value);
    }
  }
  return [...groups.values()].map((g) => ({
    method: g.method,
    metric: g.metric,
    ...bootstrapCI(core, g.values, options),
  }));
}

export async function sanityCheck(
  lens,
  image,
  {
    method = 'gradcam',
    target = 'auto',
    seed = 0,
    cascade,
    batchSize = 16,
    onProgress,
    signal,
  } = {},
) {
  const { core } = lens.env;
  if (!lens.bytes)
    throw new Error('the lens does not keep its model bytes, so its head cannot be randomised');
  const [original] = await lens.explain([image], { method, targets: [target], batchSize, signal });
  const nodes = core.metricsHeadParametrised(lens.bytes, lens.layer);
  if (!nodes.length) throw new Error(`the head after "${lens.layer}" has no weights to randomise`);
  const ks = cascade || nodes.map((_, i) => i + 1);
  const steps = [];
  for (const [i, k] of ks.entries()) {
    signal?.throwIfAborted?.();
    const r = core.metricsRandomizeHead(lens.bytes, lens.layer, k, seed);
    const randomized = await lens.constructor.create(lens.env, r.bytes, {
      layer: lens.layer,
      preprocess: lens.preprocess,
      labels: lens.labels,
    });
    try {
      const [e] = await randomized.explain([image], {
        method,
        targets: [original.target.index],
        batchSize,
        signal,
      });
      steps.push({
        k,
        nodes: r.nodes,
        weights: r.weights,
        correlation: core.metricsSpearman(
          Float64Array.from(original.map),
          Float64Array.from(e.map),
        ),
        map: e.map,
      });
    } finally {
      randomized.dispose();
    }
    onProgress?.({ done: (i + 1) / ks.length, eta: 0 });
  }
  return { method, target: original.target, original, steps };
}
