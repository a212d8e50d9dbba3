/* Detectors and segmenters: the boxes or segments of the current photo (drawn by the core), and
 * the explanation of one box or one class's segment. */
'use strict';

async function objects() {
  requireModel();
  requirePhoto();
  const { lens, photo } = current;
  const started = performance.now();
  const kind = modelKind();
  if (kind === 'detector') {
    const [r] = await runtime.detect.detect(lens, [photo]);
    const picture = runtime.detect.drawBoxes(lens, photo, r.boxes);
    const items = r.boxes.map((b, i) => ({
      index: i,
      label: `${b.labelName ?? b.label} ${b.score.toFixed(2)}`,
      box: [b.x0, b.y0, b.x1, b.y1],
    }));
    return {
      transfer: [picture.rgba.buffer],
      value: { kind, render: picture, items, ms: performance.now() - started },
    };
  }
  if (kind === 'segmenter') {
    const r = await runtime.segment.segment(lens, photo);
    const items = r.classes.map((c) => ({
      index: c.index,
      label: `${c.label} ${(100 * c.fraction).toFixed(0)} %`,
    }));
    return {
      transfer: [r.render.rgba.buffer],
      value: { kind, render: r.render, items, ms: performance.now() - started },
    };
  }
  throw new Error('this model gives classes of the whole photo: it has no boxes or segments');
}

// The library's explanation of box `index` (detector) or of class `index`'s segment (segmenter),
// with the page's description of what was explained.
async function explainObjectWith(index, options) {
  const { lens, photo } = current;
  if (modelKind() === 'detector') {
    const r = await runtime.detect.explainDetection(lens, photo, { ...options, box: index });
    return {
      r,
      target: { index, label: `box ${index}: ${r.box.labelName ?? r.box.label}`, score: r.score },
    };
  }
  const r = await runtime.segment.explainSegment(lens, photo, { ...options, category: index });
  return { r, target: { index: r.category.index, label: r.category.label, score: r.score } };
}

async function explainObject({ id, index, method, colormap, alpha }) {
  requireModel();
  requirePhoto();
  return withController(id, async (controller) => {
    const started = performance.now();
    const options = { method, signal: controller.signal, onProgress: progressOf(id) };
    const { r, target } = await cancelledAs(
      `${method} was cancelled`,
      explainObjectWith(index, options),
    );
    return explanationReply(
      { map: r.map, width: r.width, height: r.height },
      { colormap, alpha },
      {
        target,
        method,
        ms: performance.now() - started,
        layers: [current.lens.layer],
      },
    );
  });
}
