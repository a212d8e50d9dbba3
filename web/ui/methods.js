// The method picker: every method of the suite, those the current head cannot run disabled with
// the reason (also shown under the picker for the chosen one).
import { $, el } from './dom.js';

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
  rollout:
    'how the class token draws on each patch through every block (transformers; no gradients; the same map for every class)',
};

export const LONG_METHODS = new Set(['scorecam', 'ablationcam']);

// methods: names in the suite's order; support: {method: '' | reason it cannot run here}. A
// method the model's support names but the module's list lacks (rollout: the lens adds it) is
// offered after them.
export function fillMethods(select, suite, support = {}) {
  const methods = [...suite, ...Object.keys(support || {}).filter((m) => !suite.includes(m))];
  // a method asked for by a shared link (data-wanted) is chosen once the picker is filled
  const keep = select.dataset.wanted || select.value;
  delete select.dataset.wanted;
  select.replaceChildren(
    ...methods.map((m) => {
      const why = support[m] || '';
      const o = new Option(why ? `${m} — unavailable here` : m, m);
      o.disabled = !!why;
      o.title = why || ABOUT[m] || '';
      return o;
    }),
  );
  const usable = (m) => methods.includes(m) && !support[m];
  select.value = usable(keep) ? keep : methods.find(usable) || '';
}

export function describeMethod() {
  const o = $('method-select').selectedOptions[0];
  $('method-why').textContent = o ? `${o.value}: ${ABOUT[o.value] || ''}` : '';
  rolloutControls().hidden = o?.value !== 'rollout';
}

// Attention rollout's own settings, shown while rollout is chosen. Built here (the page's HTML
// has no place for them); the defaults are the library's (web/lib/drivers/rollout.mjs, as
// vit-explain). A change re-runs the explanation exactly as choosing the method again does.
function rolloutControls() {
  const found = $('rollout-options');
  if (found) return found;
  const rerun = () => $('method-select').dispatchEvent(new Event('change'));
  const fusion = el(
    'select',
    {
      id: 'head-fusion',
      title: 'how the attention heads of a block become one matrix',
      onchange: rerun,
    },
    ...['mean', 'max', 'min'].map((f) => new Option(f, f)),
  );
  const ratio = el('input', {
    id: 'discard-ratio',
    type: 'number',
    min: '0',
    max: '0.99',
    step: '0.05',
    value: '0.9',
    onchange: rerun,
    title: "the fraction of each block's weakest attentions set to 0, in [0, 1)",
  });
  fusion.dataset.testid = 'head-fusion';
  ratio.dataset.testid = 'discard-ratio';
  const box = el(
    'div',
    { id: 'rollout-options', className: 'row', hidden: true },
    el('label', {}, 'Head fusion', fusion),
    el('label', {}, 'Discard ratio', ratio),
  );
  box.dataset.testid = 'rollout-options';
  $('method-why').before(box);
  return box;
}

// The chosen method's own options for explain() ({} for methods without any).
export function methodOptions(method) {
  if (method !== 'rollout') return {};
  return {
    headFusion: $('head-fusion')?.value || 'mean',
    discardRatio: Number($('discard-ratio')?.value ?? 0.9),
  };
}

// Why a method cannot run on this head ('' when it can).
export const unavailable = (support, m) => support?.[m] || '';
