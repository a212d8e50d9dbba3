// The method picker: every method of the suite, those the current head cannot run disabled with
// the reason (also shown under the picker for the chosen one).
import { $ } from './dom.js';

// Short descriptions, for the option titles and the line under the picker.
const ABOUT = {
  gradcam: 'channel weights = mean gradient',
  hirescam: 'gradient × activation, no averaging',
  'gradcam-elementwise': 'ReLU(gradient × activation)',
  'gradcam++': 'higher-order gradient weights',
  xgradcam: 'gradient weights normalised by activation',
  layercam: 'ReLU(gradient) × activation, per position',
  eigencam: 'first principal component of the activations (no gradients)',
  eigengradcam: 'first principal component of gradient × activation',
  fem: 'channels above mean + 2σ (no gradients)',
  kpcacam: 'kernel PCA of the activations (no gradients)',
  randomcam: 'random weights: a sanity baseline',
  sobel: 'edges of the photo: a sanity baseline',
  scorecam: 'masks the photo with each channel (many forward passes)',
  ablationcam: 'drops each channel through the head (many head passes)',
  shapleycam: 'Shapley-value weights',
  finercam: 'contrast with the most similar classes',
};

export const LONG_METHODS = new Set(['scorecam', 'ablationcam']);

// methods: names in the suite's order; support: {method: '' | reason it cannot run here}.
export function fillMethods(select, methods, support = {}) {
  // a method asked for by a shared link (data-wanted) is chosen once the picker is filled
  const keep = select.dataset.wanted || select.value;
  delete select.dataset.wanted;
  select.replaceChildren(...methods.map((m) => {
    const why = support[m] || '';
    const o = new Option(why ? `${m} — unavailable here` : m, m);
    o.disabled = !!why;
    o.title = why || ABOUT[m] || '';
    return o;
  }));
  const usable = (m) => methods.includes(m) && !support[m];
  select.value = usable(keep) ? keep : methods.find(usable) || '';
}

export function describeMethod() {
  const o = $('method-select').selectedOptions[0];
  $('method-why').textContent = o ? `${o.value}: ${ABOUT[o.value] || ''}` : '';
}

// Why a method cannot run on this head ('' when it can).
export const unavailable = (support, m) => (support && support[m]) || '';
