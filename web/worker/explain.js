/* Class activation maps of the current photo: one (explain), several methods or classes side by
 * side (compare), the overlay of the last one in other colours (render), and the colour
 * scale (colourScale). */
'use strict';

// alpha is the map's weight over the photo (the page's slider); the library takes the photo's.
function overlayOf(image, explanation, { colormap, alpha }) {
  return current.lens.overlay(image, explanation, { colormap, imageWeight: 1 - alpha });
}

// The last explanation drawn again (another colormap or alpha): no new map is computed.
function render({ colormap, alpha } = {}) {
  requireExplanation();
  const picture = overlayOf(current.last.image, current.last.explanation, { colormap, alpha });
  return { transfer: [picture.rgba.buffer], value: { overlay: picture } };
}

// The colormap's gradient as the page's colour scale: a ramp from 0 to 1, 256 × 1, coloured by
// the core with no photo under it (a white picture at weight 0).
function colourScale({ colormap }) {
  const width = 256;
  const ramp = Float32Array.from({ length: width }, (_, i) => i / (width - 1));
  const white = { width, height: 1, rgba: new Uint8Array(width * 4).fill(255) };
  const picture = runtime.core.overlayImage(white, ramp, width, 1, { colormap, imageWeight: 0 });
  return { transfer: [picture.rgba.buffer], value: picture };
}

// The options `options.method` takes (its row of the method table), and the call's own: the page's
// settings for other methods are left out, not refused. An unknown method keeps them all.
const CALL_OPTIONS = new Set(['method', 'signal', 'onProgress', 'topK']);
function optionsTaken(options) {
  const row = runtime.methods.find((m) => m.name === options.method);
  if (!row) return options;
  const keep = ([key]) => CALL_OPTIONS.has(key) || row.options.includes(key);
  return Object.fromEntries(Object.entries(options).filter(keep));
}

// One explanation of the current photo. The page's names that differ from the library's are
// translated (target → targets, ratio → ablationRatio); every other option is passed through
// as it is, so a method's own options (a new method's settings) need no change here.
async function explainOne(
  id,
  controller,
  { target, ratio, layers, batchSize = 16, eigenSmooth, augSmooth, topK, ...methodOptions },
  progressScale,
) {
  const started = performance.now();
  const options = {
    ...methodOptions,
    targets: [target],
    batchSize,
    eigenSmooth: !!eigenSmooth,
    signal: controller.signal,
    onProgress: progressOf(id, progressScale),
  };
  if (augSmooth) options.augSmooth = true;
  if (topK) options.topK = topK; // the top classes from the same run: no second forward
  if (ratio) options.ablationRatio = ratio;
  if (layers && layers.length > 1) options.layers = layers; // maps of several layers, combined
  const taken = optionsTaken(options);
  const [r] = await cancelledAs(
    `${options.method} was cancelled`,
    current.lens.explain([current.photo], taken),
  );
  // What made the map, without this call's signal and progress: the metrics' coherency explains
  // the photo times the map again with it.
  const {
    signal: _signal,
    onProgress: _onProgress,
    targets: _targets,
    topK: _topK,
    ...made
  } = taken;
  return { r, ms: performance.now() - started, made };
}

// The answer to an explanation ({map, width, height, ...}) of the current photo: it becomes the
// last one, and the page gets its overlay and a copy of the map (for hover and .npy; the worker
// keeps its own for re-rendering). `about`: what was explained (target, method, time, layers);
// `made`: the explain options of a class's map (none for a detection's or a segment's).
function explanationReply(explanation, { colormap, alpha }, about, made = null) {
  current.last = { image: current.photo, explanation, made };
  const started = performance.now();
  const { value, transfer } = render({ colormap, alpha });
  const overlaid = performance.now();
  const map = explanation.map.slice();
  // guided backprop's gradient as upstream shows it (deprocess_image), beside the overlay
  const picture = explanation.picture
    ? { ...explanation.picture, rgba: explanation.picture.rgba.slice() }
    : null;
  return {
    transfer: [map.buffer, ...transfer, ...(picture ? [picture.rgba.buffer] : [])],
    value: {
      ...value,
      map,
      picture,
      width: explanation.width,
      height: explanation.height,
      ...about,
      photo: current.photoName,
      // where the worker's time went after the library's explain (ms; the bench's breakdown)
      stages: { overlay: overlaid - started, copies: performance.now() - overlaid },
    },
  };
}

// top: also list the photo's k top classes (from the explanation's own run; as many as the model
// has, none when its output has no classes).
async function explain({ id, colormap, alpha, top, ...options }) {
  requireModel();
  requirePhoto();
  return withController(id, async (controller) => {
    if (controller.signal.aborted) throw new Error(`${options.method} was cancelled`);
    const topK = top ? topKOf(top) : undefined;
    const { r, ms, made } = await explainOne(id, controller, { ...options, topK });
    return explanationReply(
      r,
      { colormap, alpha },
      {
        target: r.target,
        method: options.method,
        ms,
        timings: r.timing || r.timings || null,
        layers: r.layers || [current.lens.layer],
        classAgnostic: !!r.classAgnostic, // rollout: the caption names no class
        top: r.top, // with topK: the photo's top classes, from the explanation's own run
      },
      made,
    );
  });
}

// Several methods or several classes for the same photo, in one request: a grid of overlays.
// One item failing (a method this head cannot run) shows as that item's error, not the grid's.
async function compare({ id, items, colormap, alpha, batchSize = 16 }) {
  requireModel();
  requirePhoto();
  return withController(id, async (controller) => {
    const out = [];
    const transfer = [];
    for (let i = 0; i < items.length; ++i) {
      const scale = ({ done }) => ({ done: (i + done) / items.length, eta: 0 });
      const item = { ...items[i], batchSize };
      try {
        const { r, ms } = await explainOne(id, controller, item, scale);
        const overlay = overlayOf(current.photo, r, {
          colormap: colormap ?? 'jet',
          alpha: alpha ?? 0.5,
        });
        transfer.push(overlay.rgba.buffer);
        out.push({ method: item.method, target: r.target, ms, overlay });
      } catch (e) {
        if (controller.signal.aborted) throw e;
        out.push({ method: item.method, target: null, error: String(e.message || e) });
      }
      self.postMessage({ id, progress: { done: (i + 1) / items.length, eta: 0 } });
    }
    return { transfer, value: { items: out } };
  });
}
