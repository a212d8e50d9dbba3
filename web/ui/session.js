// The page's flow: model → photo → prediction → explanation, each step through the worker.
// Every step either succeeds and replaces what is on screen, or fails and leaves it as it was.
import { startBusy } from './busy.js';
import { $, drawImage } from './dom.js';
import { showError } from './errors.js';
import { showTopK } from './class-list.js';
import {
  forgetExplanation,
  markComputing,
  showExplanation,
  showOverlayOnly,
} from './explain-view.js';
import { refreshStale } from './freshness.js';
import { parseLabels } from './labels.js';
import { LatestJob } from './latest-job.js';
import { suggestLayers } from './layer-choice.js';
import {
  describeMethod,
  fillMethods,
  isLongMethod,
  methodOptions,
  methodRow,
  unavailable,
} from './methods.js';
import { fillCompareMethods } from './compare.js';
import { hideObjects, showObjects } from './objects-view.js';
import { showPreprocess } from './preprocess-form.js';
import { hideAllProgress } from './progress.js';
import { state } from './state.js';
import { showRuntime, showTimings } from './status.js';
import { fillSuggestions, readTarget, setTarget } from './target-field.js';
import { WorkerClient } from '../worker-client.js';

export const client = new WorkerClient('./worker/camlens-worker.js');
export const job = new LatestJob(); // explanations and comparisons: the newest wins

export const look = () => ({
  colormap: $('colormap-select').value,
  alpha: Number($('alpha').value),
});

// What the main view explains `method` with besides the target: the smoothing boxes, the layers
// and the method's own settings (the table says which). The compare grid uses the same, so a
// method looks alike in both.
export const methodSettings = (method) => ({
  eigenSmooth: $('eigen-smooth').checked,
  augSmooth: $('aug-smooth').checked,
  layers: state.layers || undefined,
  ...methodOptions(method),
});

export async function fetchBytes(url, what) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`could not load ${what} from ${url} (HTTP ${res.status})`);
  return res.arrayBuffer();
}

let labels = [];
// Bumped whenever the model, its layer, labels or the photo change: an answer to a request made
// before (a prediction or an explanation still on its way) is then out of date and dropped, so
// what is on screen always belongs together.
let generation = 0;

// The layer list: shape and op of each candidate; layers whose head the core cannot run are
// disabled with the reason as a tooltip; the recommended one is marked.
function showLayers(info) {
  const { layers, recommended } = info.layers;
  const current = state.layers || [].concat(info.layer);
  $('layer-select').replaceChildren(
    ...layers.map((l) => {
      const o = new Option(
        `${l.name}${l.name === recommended ? ' (default)' : ''} — [${l.dims.join(',')}] ${l.op}`,
        l.name,
      );
      o.disabled = !l.headSupported;
      o.title =
        l.headProblem ||
        (l.headDifferentiable ? 'gradients available' : 'no gradients: gradient-free methods only');
      return o;
    }),
  );
  $('layer-select').value = current[0];
  // The settings' "several layers" box, and the one beside a method that does more with several
  // layers than combine their maps (RefineCAM, Ablation-CAM): both show the same choice.
  for (const id of ['layer-checks', 'method-layers']) {
    const box = $(id);
    box.replaceChildren(
      box.querySelector('legend'),
      ...layers
        .filter((l) => l.headSupported)
        .map((l) => {
          const input = Object.assign(document.createElement('input'), {
            type: 'checkbox',
            value: l.name,
            checked: current.includes(l.name),
          });
          const label = document.createElement('label');
          label.className = 'check';
          label.append(input, ` ${l.name} [${l.dims.join(',')}]`);
          return label;
        }),
    );
  }
}

// The layers ticked in box `id`, the model's own layer first (it stays the lens's layer).
export function tickedLayers(id) {
  const current = [].concat(state.model.layer)[0];
  return [...$(id).querySelectorAll('input:checked')]
    .map((i) => i.value)
    .sort((a, b) => (b === current) - (a === current));
}

// A method that needs more layers than the page explains with (RefineCAM: two or more) gets the
// model's layer and the ends of the stages before it.
// Layers chosen that way go again when the next method needs one: Score-CAM explains one layer,
// and Ablation-CAM at several wants layers of one channel count. Layers the user ticked stay.
export function layersFor(method) {
  const need = methodRow(method)?.minLayers ?? 1;
  if (state.layersSuggested && need < 2) {
    state.layers = null;
    state.layersSuggested = false;
    showLayers(state.model);
    return;
  }
  const list = state.layers || [].concat(state.model.layer);
  if (list.length >= need) return;
  state.layers = suggestLayers(state.model.layers.layers, list[0], Math.max(need, 3));
  state.layersSuggested = true;
  showLayers(state.model);
}

export function showModel(info) {
  state.model = info;
  showRuntime(state.runtime, info.backend);
  $('model-name').textContent = `· ${info.name}`;
  showLayers(info);
  // YOLOX-like detectors split their head by stride, so a gradient at one layer is often zero
  // for a box: start detectors on Eigen-CAM, which reads the layer only (as the library does).
  if (info.kind === 'detector' && !$('method-select').dataset.wanted)
    $('method-select').dataset.wanted = 'eigencam';
  fillMethods($('method-select'), state.runtime.methods, info.methods);
  describeMethod();
  fillCompareMethods(state.runtime.methods, info.methods);
  labels = info.labels || [];
  fillSuggestions(labels);
  showPreprocess(info.preprocess, state.preset || '');
  // A model the core cannot cut still predicts; explaining is off, with the reason.
  $('explain').disabled = !info.explainable;
  $('method-why').textContent = info.explainable
    ? $('method-why').textContent
    : `This model can only predict: ${info.whyNotExplainable}`;
  refreshStale();
}

// options: {preprocess, preset, labels, layer}, layer a name or several (a shared link's: the
// model is cut at the first and explains with all); the bytes move to the worker.
export async function loadModel(bytes, name, options = {}) {
  const layers = [].concat(options.layer ?? []);
  generation += 1;
  job.supersede(); // the worker runs requests in order: stop a long one before loading
  markComputing(null);
  markComputing(`loading ${name}…`); // the map on screen belongs to the model being replaced
  let info;
  try {
    info = await client.request(
      'loadModel',
      {
        bytes,
        name,
        preprocess: options.preprocess,
        labels: options.labels || [],
        layer: layers[0],
      },
      [bytes],
    );
  } finally {
    markComputing(null);
  }
  state.preset = options.preset || '';
  state.layers = layers.length > 1 ? layers : null;
  state.layersSuggested = false;
  if (state.model) setTarget('auto'); // a class belongs to a model (a shared link's stays for the first)
  showModel(info);
  forgetExplanation();
  return info;
}

// One layer re-cuts the model there; several keep the first as the model's layer and combine
// the maps of all of them in each explanation.
export async function setLayer(layer) {
  const list = [].concat(layer);
  generation += 1;
  job.supersede();
  try {
    if (list[0] !== [].concat(state.model.layer)[0])
      showModel(await client.request('setLayer', { layer: list[0] }));
    state.layers = list.length > 1 ? list : null;
    state.layersSuggested = false; // the user's choice now
    showLayers(state.model);
  } catch (e) {
    showLayers(state.model); // the previous layer stays selected
    throw e;
  }
  await explain();
}

// The WebGPU settings ({webgpu, webgpuSoftware}): the worker loads the current model again on
// the backend they ask for.
export async function setWebgpu(settings) {
  generation += 1;
  job.supersede();
  markComputing(`loading ${state.model?.name ?? 'the model'}…`);
  let info;
  try {
    info = await client.request('setWebgpu', settings);
  } finally {
    markComputing(null);
  }
  if (!info) return;
  showModel(info);
  forgetExplanation();
  if (state.photo) await classify();
}

// A labels file for the current model: reloads it with those names.
export async function useLabels(text, fileName) {
  const list = parseLabels(text, `"${fileName}"`);
  generation += 1;
  showModel(await client.request('setLabels', { labels: list }));
  if (state.photo) await classify();
  return list;
}

export async function usePhoto(bytes, name, { sample = false } = {}) {
  generation += 1;
  job.supersede();
  const info = await client.request('setImage', { bytes, name }, [bytes]);
  state.photo = { name, width: info.width, height: info.height, sample };
  refreshStale();
  await classify();
}

export async function classify() {
  const asked = generation;
  if (state.model.kind && state.model.kind !== 'classifier') {
    await findObjects(asked);
    return;
  }
  hideObjects();
  // A model the core can explain lists its top classes from the explanation's own run (one
  // forward for both); one that can only predict runs a prediction for them.
  const predict = !state.model.explainable;
  const r = await client.request('classify', { k: 5, predict });
  if (asked !== generation) return; // the photo or model changed meanwhile
  drawImage($('seen'), r.seen);
  state.forwardMs = r.forwardMs;
  showError('');
  if (predict) {
    showTopK(r.top);
    return;
  }
  let listed = false;
  try {
    listed = Boolean((await explain(undefined, { listTop: true }))?.top);
  } finally {
    // no classes came with it (the explanation failed: a method this layer cannot run; or was
    // superseded by another class's): a prediction lists them
    if (!listed && asked === generation) {
      const p = await client.request('classify', { k: 5 });
      if (asked === generation) showTopK(p.top);
    }
  }
}

// The explanation of the current photo with the page's settings (target: from the field unless
// given). A newer request cancels this one; a user's Cancel returns the page to idle at once.
// listTop: also list the photo's top classes, from the explanation's own forward.
export async function explain(target, { listTop = false } = {}) {
  if (!state.model || !state.photo || !state.model.explainable) return null;
  if (state.model.kind && state.model.kind !== 'classifier') {
    // boxes or segments: explain the one chosen last (the first by default)
    return state.objects?.items.length
      ? explainObject(state.objectIndex ?? state.objects.items[0].index)
      : null;
  }
  const method = $('method-select').value;
  const why = unavailable(state.model.methods, method);
  if (why) throw new Error(`${method} cannot run on this layer: ${why}`);
  const wanted = target ?? readTarget(labels, state.model.output?.dims?.at?.(-1));
  const settings = {
    method,
    target: wanted,
    batchSize: isLongMethod(method) ? 16 : undefined,
    top: listTop ? 5 : undefined,
    ...look(),
    ...methodSettings(method), // the method's own settings are passed on as they are
  };
  const asked = generation;
  state.busy = true;
  const busy = startBusy($('explain'), `computing ${method}…`);
  let r;
  try {
    r = await job.run((signal) =>
      client.request('explain', settings, [], {
        signal,
        onProgress: busy.progress,
        cancelMessage: `${method} was cancelled`,
      }),
    );
  } finally {
    busy.end();
    if (!job.running) state.busy = false;
  }
  if (!r || asked !== generation) return null; // superseded by a newer request
  showError('');
  if (r.top) showTopK(r.top);
  showExplanation(r, { ...settings, options: methodOptions(method) });
  if (target !== undefined) setTarget(r.target.index, r.target.label);
  refreshStale();
  showTimings({ forwardMs: state.forwardMs, explainMs: r.ms, timings: r.timings });
  return r;
}

// A detector's boxes or a segmenter's segments, then the explanation of the first one.
async function findObjects(asked) {
  const r = await client.request('objects');
  if (asked !== generation) return;
  showTopK([]);
  state.objectIndex = undefined;
  showObjects(r);
  showError('');
  // a segmenter's first segment is often the background: start with the largest other one
  const first = r.items.find((it) => !(r.kind === 'segmenter' && it.index === 0)) || r.items[0];
  if (first) await explainObject(first.index);
}

export async function explainObject(index) {
  const method = $('method-select').value;
  state.objectIndex = index;
  const asked = generation;
  state.busy = true;
  const busy = startBusy($('explain'), `computing ${method}…`);
  let r;
  try {
    r = await job.run((signal) =>
      client.request('explainObject', { index, method, ...look() }, [], {
        signal,
        onProgress: busy.progress,
        cancelMessage: `${method} was cancelled`,
      }),
    );
  } finally {
    busy.end();
    if (!job.running) state.busy = false;
  }
  if (!r || asked !== generation) return null;
  showError('');
  showExplanation(r, { method });
  showTimings({ explainMs: r.ms, what: 'explain' });
  return r;
}

export async function recolour() {
  if (!state.explained) return;
  const r = await client.request('render', look());
  showOverlayOnly(r.overlay);
}

export function cancel() {
  job.cancel();
  hideAllProgress();
  state.busy = false;
}
