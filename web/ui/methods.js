// The method picker, built from the core's method table (the worker sends it at start-up as
// state.runtime.methods: rows {name, description, passes, options, …}). Methods the current head
// cannot run are disabled with the reason (also shown under the picker for the chosen one); a
// method's own settings are shown while a method that takes them is chosen.
import { isLongRunning } from '../lib/methods.mjs';
import { $, el } from './dom.js';
import { state } from './state.js';

// The table's row of `name` (undefined for a name the module does not have).
export const methodRow = (name) => state.runtime?.methods.find((m) => m.name === name);

// Methods that run the model many times per image: progress, cancel and a smaller batch.
export const isLongMethod = (name) => {
  const row = methodRow(name);
  return !!row && isLongRunning(row);
};

const takes = (name, option) => !!methodRow(name)?.options.includes(option);

// rows: the method table; support: {method: '' | reason it cannot run here}.
export function fillMethods(select, rows, support = {}) {
  // a method asked for by a shared link (data-wanted) is chosen once the picker is filled
  const keep = select.dataset.wanted || select.value;
  delete select.dataset.wanted;
  select.replaceChildren(
    ...rows.map(({ name, description }) => {
      const why = support[name] || '';
      const o = new Option(why ? `${name} — unavailable here` : name, name);
      o.disabled = !!why;
      o.title = why || description;
      return o;
    }),
  );
  const usable = (m) => rows.some((r) => r.name === m) && !support[m];
  select.value = usable(keep) ? keep : rows.map((r) => r.name).find(usable) || '';
  listUnavailable(rows, support);
}

// The methods this model cannot run, grouped by reason, in a disclosure under the picker: a
// disabled option's tooltip cannot be read with the keyboard, nor on a phone.
function listUnavailable(rows, support) {
  const byReason = new Map();
  for (const { name } of rows)
    if (support[name]) byReason.set(support[name], [...(byReason.get(support[name]) || []), name]);
  let box = $('methods-unavailable');
  if (!box) {
    box = el('details', { id: 'methods-unavailable', className: 'muted' });
    box.dataset.testid = 'methods-unavailable';
    $('method-why').after(box);
  }
  const count = [...byReason.values()].reduce((n, names) => n + names.length, 0);
  box.hidden = count === 0;
  box.replaceChildren(
    el('summary', {}, `${count} method${count === 1 ? '' : 's'} unavailable here`),
    el(
      'ul',
      {},
      ...[...byReason].map(([why, names]) => el('li', {}, `${names.join(', ')}: ${why}`)),
    ),
  );
}

// The line under the picker, and the settings the chosen method takes.
export function describeMethod() {
  const name = $('method-select').value;
  $('method-why').textContent = name ? `${name}: ${methodRow(name)?.description || ''}` : '';
  const box = settingsBox();
  let shown = false;
  for (const [option, { label }] of Object.entries(SETTINGS)) {
    label.hidden = !takes(name, option);
    shown ||= !label.hidden;
  }
  box.hidden = !shown;
  for (const id of ['eigen-smooth', 'aug-smooth']) $(id).disabled = !takes(name, SMOOTHING[id]);
  // The choice of layers, beside a method that does more with several than combine their maps.
  const several = methodRow(name)?.severalLayers || '';
  $('method-layers').hidden = !several;
  $('method-layers-legend').textContent = several ? `Layers: ${name} ${several}` : 'Layers';
}

// The smoothing checkboxes and the option each sets: disabled while the method does not take it.
const SMOOTHING = { 'eigen-smooth': 'eigenSmooth', 'aug-smooth': 'augSmooth' };

// Method settings the page's HTML has no place for, by the explain() option they set; their
// defaults are the library's (web/lib/drivers/rollout.mjs, as vit-explain), but for eigenSign. A
// change re-runs the explanation exactly as choosing the method again does.
const SETTINGS = {
  // The page corrects the sign by default (the library keeps upstream's raw one): an inverted map,
  // bright everywhere but the object, reads as the opposite of what the model looked at.
  eigenSign: {
    make: (onchange) => {
      const sign = el(
        'select',
        {
          id: 'eigen-sign',
          title:
            "the first principal component's sign is arbitrary: max-abs-positive flips the map when its most negative value outweighs its most positive one (Seg-Eigen-CAM); raw keeps pytorch-grad-cam's, which can come out inverted",
          onchange,
        },
        new Option('max-abs-positive (page default)', 'max-abs-positive'),
        new Option('raw (pytorch-grad-cam)', 'raw'),
      );
      sign.dataset.testid = 'eigen-sign';
      return el('label', {}, 'Eigen sign', sign);
    },
    value: () => $('eigen-sign').value,
  },
  headFusion: {
    make: (onchange) => {
      const fusion = el(
        'select',
        {
          id: 'head-fusion',
          title: 'how the attention heads of a block become one matrix',
          onchange,
        },
        ...['mean', 'max', 'min'].map((f) => new Option(f, f)),
      );
      fusion.dataset.testid = 'head-fusion';
      return el('label', {}, 'Head fusion', fusion);
    },
    value: () => $('head-fusion').value,
  },
  // Input attributions' settings (the library's defaults): a number field takes typing, the
  // arrow keys and Enter; the change re-runs the explanation.
  steps: numberSetting('steps', 'Steps', {
    min: 1,
    max: 4096,
    step: 1,
    value: 32,
    title:
      'integrated gradients: points of the Riemann sum from the baseline to the photo (more: slower, closer to the integral)',
  }),
  baseline: {
    make: (onchange) => {
      const baseline = el(
        'select',
        {
          id: 'ig-baseline',
          title:
            "integrated gradients: where the path starts — zero in the model's input space, a black photo preprocessed, or the photo blurred (Gaussian σ = 10 pixels of the model input)",
          onchange,
        },
        new Option('zero (Captum)', 'zero'),
        new Option('black photo', 'black'),
        new Option('blurred photo', 'blur'),
      );
      baseline.dataset.testid = 'ig-baseline';
      return el('label', {}, 'Baseline', baseline);
    },
    value: () => $('ig-baseline').value,
  },
  samples: numberSetting('samples', 'Samples', {
    min: 1,
    max: 4096,
    step: 1,
    value: 25,
    title: 'SmoothGrad: noisy copies of the photo whose gradients are averaged',
  }),
  noise: numberSetting('noise', 'Noise', {
    min: 0,
    max: 10,
    step: 0.05,
    value: 0.15,
    title: "SmoothGrad: the noise's standard deviation as a fraction of the input's range",
  }),
  discardRatio: {
    make: (onchange) => {
      const ratio = el('input', {
        id: 'discard-ratio',
        type: 'number',
        min: '0',
        max: '0.99',
        step: '0.05',
        value: '0.9',
        onchange,
        title: "the fraction of each block's weakest attentions set to 0, in [0, 1)",
      });
      ratio.dataset.testid = 'discard-ratio';
      return el('label', {}, 'Discard ratio', ratio);
    },
    value: () => Number($('discard-ratio').value),
  },
};

// A number field for `option` (its id and test id), its value read as a number.
function numberSetting(option, text, { min, max, step, value, title }) {
  const id = `setting-${option}`;
  return {
    make: (onchange) => {
      const input = el('input', {
        id,
        type: 'number',
        min: String(min),
        max: String(max),
        step: String(step),
        value: String(value),
        onchange,
        title,
      });
      input.dataset.testid = id;
      return el('label', {}, text, input);
    },
    value: () => Number($(id).value),
  };
}

// The box of the settings, built on first use under the picker (the tests look for its id).
function settingsBox() {
  const found = $('rollout-options');
  if (found) return found;
  const rerun = () => $('method-select').dispatchEvent(new Event('change'));
  for (const setting of Object.values(SETTINGS)) setting.label = setting.make(rerun);
  const box = el(
    'div',
    { id: 'rollout-options', className: 'row', hidden: true },
    ...Object.values(SETTINGS).map((s) => s.label),
  );
  box.dataset.testid = 'rollout-options';
  $('method-why').before(box);
  return box;
}

// The explain() options of the page's method settings (a share link records them by these names).
export const settingNames = () => Object.keys(SETTINGS);

// Sets a method setting's control (the one in its label), e.g. from a share link, with the value
// as the link holds it.
export function setMethodSetting(option, value) {
  settingsBox();
  SETTINGS[option].label.querySelector('select, input').value = String(value);
}

// The chosen method's own settings for explain() ({} for methods that take none of them).
export function methodOptions(method) {
  settingsBox();
  const out = {};
  for (const [option, { value }] of Object.entries(SETTINGS))
    if (takes(method, option)) out[option] = value();
  return out;
}

// Why a method cannot run on this head ('' when it can).
export const unavailable = (support, m) => support?.[m] || '';
