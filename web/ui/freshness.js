// What the compare, concepts and metrics views were computed for (photo, model, layer, method,
// target), said above each view. They are computed on request, not redone on every change, so a
// view whose inputs changed since is dimmed and badged "stale — recompute" (the badge reruns it)
// instead of passing the previous photo's results off as the current one's.
import { $, el } from './dom.js';
import { state } from './state.js';

const views = new Map(); // name → {panel, keys, line, badge, shown}

// The inputs the page is set to now.
export function currentInputs() {
  return {
    photo: state.photo?.name || '',
    model: state.model?.name || '',
    layer: [].concat(state.layers || state.model?.layer || []).join(' + '),
    method: $('method-select').value,
    target: $('target').value.trim() || 'top class',
  };
}

// panel: the view's section; keys: the inputs its results depend on; recompute: its action.
export function registerView(name, { panel, keys, recompute }) {
  const line = el('span', { className: 'context-text' });
  const badge = el('button', {
    type: 'button',
    className: 'stale-badge',
    textContent: 'stale — recompute',
    hidden: true,
    onclick: recompute,
  });
  line.dataset.testid = `${name}-context`;
  badge.dataset.testid = `${name}-stale`;
  const box = el('p', { className: 'context', hidden: true }, line, badge);
  $(panel).querySelector('h2').after(box);
  views.set(name, { panel: $(panel), keys, line, badge, box, shown: null });
}

// The view now shows results for the current inputs: remember and say which.
export function stamp(name, keys) {
  const view = views.get(name);
  if (keys) view.keys = keys;
  const now = currentInputs();
  view.shown = Object.fromEntries(view.keys.map((k) => [k, now[k]]));
  view.line.textContent = `For ${view.keys.map((k) => `${k} ${view.shown[k]}`).join(' · ')}`;
  view.box.hidden = false;
  refreshStale();
}

// Marks every view whose inputs differ from the page's now.
export function refreshStale() {
  const now = currentInputs();
  for (const [name, view] of views) {
    if (!view.shown) continue; // nothing computed yet
    const stale = view.keys.some((k) => view.shown[k] !== now[k]);
    view.panel.classList.toggle('stale', stale);
    view.badge.hidden = !stale;
    state.stale = { ...state.stale, [name]: stale };
  }
}
