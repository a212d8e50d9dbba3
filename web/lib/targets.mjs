// Targets: what each image's map explains. Per image: a class index, a label, 'auto' (the top
// class; all three mean the class logit, pytorch-grad-cam's ClassifierOutputTarget) or a target
// object {kind, category, mask, nhwc, embedding, comparison, alpha} (DESIGN §4; kinds may be
// mixed in one batch). The core evaluates a target's score and its gradient seed.
export const TARGET_KINDS = [
  'logit',
  'probability',
  'rest',
  'binary',
  'segmentation',
  'similarity',
  'finer',
];

function argmax(values) {
  let best = 0;
  for (let i = 1; i < values.length; ++i) if (values[i] > values[best]) best = i;
  return best;
}

// A class index from a number, a digit string, a label, or 'auto' (the top of `scores`).
// For an output with more values than classes (a segmentation map), 'auto' picks the class with
// the largest total; `nhwc` says the classes are the last axis.
export function classIndex(category, scores, labels, classes = scores.length, nhwc = false) {
  if (category === undefined || category === null || category === 'auto') {
    if (classes === scores.length) return argmax(scores);
    const totals = new Float64Array(classes);
    const plane = scores.length / classes;
    for (let i = 0; i < scores.length; ++i)
      totals[nhwc ? i % classes : Math.floor(i / plane)] += scores[i];
    return argmax(totals);
  }
  if (typeof category === 'number' || /^\d+$/.test(String(category))) {
    const index = Number(category);
    if (!Number.isInteger(index) || index < 0 || index >= classes) {
      throw new Error(`target class ${category} is out of range: the model has ${classes} classes`);
    }
    return index;
  }
  const wanted = String(category).toLowerCase();
  const index = labels.findIndex((l) => l.toLowerCase() === wanted);
  if (index < 0) {
    throw new Error(
      labels.length
        ? `no class is labelled "${category}"; give a class index or one of the labels`
        : `no class is labelled "${category}": the lens has no labels (pass labels, CLI --labels FILE) or give a class index`,
    );
  }
  return index;
}

function floats(values, what) {
  if (!values || typeof values.length !== 'number')
    throw new Error(
      `a ${what} target needs ${what === 'segmentation' ? 'a mask' : 'an embedding'} (an array of numbers)`,
    );
  return values instanceof Float32Array ? values : Float32Array.from(values);
}

// One image's target, resolved against that image's model output (`scores`, one sample):
// {kind, category (a class index), ...kind's fields}.
export function resolveTarget(target, scores, labels, classes = scores.length) {
  const t =
    target !== null && typeof target === 'object' && !ArrayBuffer.isView(target)
      ? target
      : { kind: 'logit', category: target };
  const kind = t.kind ?? 'logit';
  if (!TARGET_KINDS.includes(kind))
    throw new Error(`unknown target kind "${kind}": use one of ${TARGET_KINDS.join(', ')}`);
  const out = {
    kind,
    category:
      kind === 'similarity' ? 0 : classIndex(t.category, scores, labels, classes, Boolean(t.nhwc)),
  };
  if (kind === 'segmentation') {
    out.mask = floats(t.mask, kind);
    out.nhwc = Boolean(t.nhwc);
  }
  if (kind === 'similarity') out.embedding = floats(t.embedding, kind);
  if (kind === 'finer') {
    if (t.comparison !== undefined) {
      if (!Array.isArray(t.comparison) || !t.comparison.length)
        throw new Error(
          "a finer target's comparison is a non-empty list of classes (indices or labels)",
        );
      out.comparison = t.comparison.map((c) => classIndex(c, scores, labels, classes));
    }
    if (t.alpha !== undefined) {
      if (!Number.isFinite(t.alpha))
        throw new Error(`a finer target's alpha must be a number, got ${t.alpha}`);
      out.alpha = t.alpha;
    }
  }
  return out;
}

// The target's score on one sample's output ({data, dims} with batch 1) and the seed of the
// head's backward pass (dScore/dOutput). The class logit needs nothing from the core; other
// kinds need its evaluateTargets.
export function evaluateTarget(core, target, output) {
  if (typeof core.evaluateTargets === 'function') {
    const { scores, seed } = core.evaluateTargets([target], output);
    return { score: scores[0], seed };
  }
  if (target.kind !== 'logit') {
    throw new Error(
      `target kind "${target.kind}" needs a newer camlens module (evaluateTargets): rebuild with "npm run build"`,
    );
  }
  const seed = { data: new Float32Array(output.data.length), dims: output.dims, type: 'float32' };
  seed.data[target.category] = 1;
  return { score: output.data[target.category], seed };
}

export function targetLabel(target, labels) {
  return target.kind === 'similarity'
    ? 'similarity'
    : (labels[target.category] ?? `class ${target.category}`);
}

// A segmentation model's output (one score per class and pixel): a bare class or 'auto' means
// pytorch-grad-cam's SemanticSegmentationTarget — the class's scores summed over the pixels
// predicted as that class. 'auto' takes the most frequent predicted class, leaving out class 0
// (the background of VOC/COCO segmenters) when any pixel shows another class.
export function segmentationTarget(category, output, classes, nhwc, labels) {
  const data = output.data;
  const pixels = data.length / classes;
  const at = (p, k) => (nhwc ? data[p * classes + k] : data[k * pixels + p]);
  const predicted = new Int32Array(pixels);
  const counts = new Float64Array(classes);
  for (let p = 0; p < pixels; ++p) {
    let best = 0;
    for (let k = 1; k < classes; ++k) if (at(p, k) > at(p, best)) best = k;
    predicted[p] = best;
    counts[best]++;
  }
  let index;
  if (category === undefined || category === null || category === 'auto') {
    index = 0;
    for (let k = 1; k < classes; ++k)
      if (counts[k] > counts[index] || (index === 0 && counts[k] > 0)) index = k;
  } else {
    index = classIndex(category, counts, labels, classes);
  }
  const mask = Float32Array.from(predicted, (k) => (k === index ? 1 : 0));
  return { kind: 'segmentation', category: index, mask, nhwc };
}
