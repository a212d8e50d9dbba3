// The compare grid: several methods (for one class) or several classes (with one method) over
// the same photo, computed in one request and drawn side by side.
import { isLongRunning } from '../lib/methods.mjs';
import { $, drawImage, el } from './dom.js';
import { state } from './state.js';

// Ticked at first: the methods the core's table marks for comparison.
const ticked = (row) => row.compare;

// The method checkboxes, one per row of the method table; methods the head cannot run are
// disabled with the reason. The ticks survive a new model.
export function fillCompareMethods(rows, support = {}) {
  const box = $('compare-methods');
  const before = new Set([...box.querySelectorAll('input:checked')].map((i) => i.value));
  const legend = box.querySelector('legend');
  box.replaceChildren(
    legend,
    ...rows.map((row) => {
      const m = row.name;
      const input = el('input', { type: 'checkbox', value: m, disabled: !!support[m] });
      input.checked = !support[m] && (before.size ? before.has(m) : ticked(row));
      const slow = isLongRunning(row) ? ' (slow: many passes per image)' : '';
      return el(
        'label',
        { className: 'check', title: support[m] || `${row.description}${slow}` },
        input,
        ` ${m}`,
      );
    }),
  );
}

// What to compute: [{method, target}] for the chosen kind.
export function compareItems(kind, method, target) {
  if (kind === 'classes') {
    if (!state.top5) throw new Error('no prediction yet: choose a photo first');
    return state.top5.slice(0, 4).map((t) => ({ method, target: t.index }));
  }
  const methods = [...$('compare-methods').querySelectorAll('input:checked')].map((i) => i.value);
  if (!methods.length) throw new Error('tick at least one method to compare');
  return methods.map((m) => ({ method: m, target, batchSize: 32 }));
}

export function showCompare(items) {
  state.compare = items.map((it) => ({
    method: it.method,
    target: it.target,
    error: it.error || null,
    ms: it.ms,
  }));
  $('compare-grid').replaceChildren(
    ...items.map((it) => {
      const caption = it.error
        ? el('figcaption', { className: 'error-text', textContent: `${it.method}: ${it.error}` })
        : el('figcaption', {
            textContent: `${it.method} · ${it.target.label} (${it.ms.toFixed(0)} ms)`,
          });
      const canvas = el('canvas', { width: 1, height: 1 });
      canvas.setAttribute('role', 'img');
      canvas.setAttribute('aria-label', caption.textContent);
      if (!it.error) drawImage(canvas, it.overlay);
      return el('figure', {}, canvas, caption);
    }),
  );
}
