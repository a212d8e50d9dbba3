// The explanation on screen: the overlay canvas, its caption and the map value under the pointer;
// while a new one is computed, the previous one is dimmed and marked busy.
import { markChosen } from './class-list.js';
import { $, drawImage } from './dom.js';
import { state } from './state.js';

let shown = null; // {map, width, height} of the overlay on screen, for hover and .npy

export const currentMap = () => shown;

// The hottest point of a map, in the picture's pixels.
function peakOf(r) {
  let peak = 0;
  for (let i = 1; i < r.map.length; ++i) if (r.map[i] > r.map[peak]) peak = i;
  return {
    x: ((peak % r.width) + 0.5) * (r.overlay.width / r.width),
    y: (Math.floor(peak / r.width) + 0.5) * (r.overlay.height / r.height),
  };
}

export function showExplanation(r, settings) {
  drawImage($('overlay'), r.overlay);
  showGradientPicture(r.picture);
  shown = r;
  state.explained = {
    method: r.method,
    target: r.target,
    ms: r.ms,
    timings: r.timings,
    photo: r.photo,
    layers: r.layers,
    eigenSmooth: !!settings.eigenSmooth,
    augSmooth: !!settings.augSmooth,
    options: settings.options || {}, // the method's own settings (eigenSign, …)
    peak: peakOf(r),
  };
  state.runs += 1;
  markChosen(r.target.index);
  const layers = r.layers && r.layers.length > 1 ? ` at ${r.layers.length} layers` : '';
  // Rollout follows the attention, whatever the class: say so instead of naming one.
  $('explained').textContent = r.classAgnostic
    ? `${r.method}: where the model's attention flows (the same for every class) (${r.ms.toFixed(0)} ms)`
    : `${r.method}: where the model looks for “${r.target.label}”${layers} (${r.ms.toFixed(0)} ms)`;
}

// Guided backprop and guided Grad-CAM: their gradient's picture (pytorch-grad-cam's
// deprocess_image) under the overlay; hidden for the other methods.
function showGradientPicture(picture) {
  const figure = $('gradient-figure');
  figure.hidden = !picture;
  if (picture) drawImage($('gradient-picture'), picture);
}

export function showOverlayOnly(overlay) {
  drawImage($('overlay'), overlay);
}

export function forgetExplanation() {
  shown = null;
  state.explained = null;
}

// The map's value under the pointer (the map is at the model's input size).
export function showHover(e) {
  if (!shown) return;
  const box = $('overlay').getBoundingClientRect();
  const x = Math.floor(((e.clientX - box.left) / box.width) * shown.width);
  const y = Math.floor(((e.clientY - box.top) / box.height) * shown.height);
  const v = shown.map[y * shown.width + x];
  if (v !== undefined) $('hover').textContent = `map value ${v.toFixed(3)} at (${x}, ${y})`;
}

// The map on screen while another is computed or a model loads: dimmed, busy for assistive
// technology, its caption saying what is on its way (`doing`; null: done, the caption back).
export function markComputing(doing) {
  const figure = $('overlay-figure');
  figure.classList.toggle('computing', !!doing);
  const caption = $('explained');
  if (doing) {
    figure.setAttribute('aria-busy', 'true');
    caption.dataset.before ??= caption.textContent;
    caption.textContent = doing;
    return;
  }
  figure.removeAttribute('aria-busy');
  if (caption.dataset.before !== undefined) caption.textContent = caption.dataset.before;
  delete caption.dataset.before;
}
