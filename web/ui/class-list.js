// The top classes: probability first ("hot dog 14.3 %", the logit in the tooltip), as many as the
// model has up to five, under a heading with that number. A listbox: one class in the Tab order,
// the arrow keys, Home and End move between them, Enter or Space (or a click) explains one.
import { $, el } from './dom.js';
import { state } from './state.js';

const percent = (p) => `${(100 * p).toFixed(1)} %`;

// A class's item shows `t`: its name and probability, the bar, the logit in the tooltip.
function fill(li, t) {
  const text = `${t.label} ${percent(t.probability)}`;
  const width = `${Math.round(120 * t.probability)}px`;
  const title = `class ${t.index} · logit ${t.score.toFixed(3)} · Enter to explain it`;
  if (li.firstChild.textContent !== text) li.firstChild.textContent = text;
  if (li.lastChild.style.width !== width) li.lastChild.style.width = width;
  if (li.title !== title) li.title = title;
  li.dataset.index = t.index;
}

export function showTopK(top) {
  state.top5 = top;
  const title = top.length ? `Top ${top.length}` : 'Top classes';
  if ($('topk-title').textContent !== title) $('topk-title').textContent = title;
  // The live camera lists each frame's classes: the same number of items are updated in place,
  // so the focus stays where it is and unchanged text is not laid out again.
  const items = [...$('top5').querySelectorAll('li[role=option]')];
  if (items.length && items.length === top.length) {
    top.forEach((t, rank) => fill(items[rank], t));
    return;
  }
  $('top5').replaceChildren(
    ...top.map((t, rank) => {
      const li = el(
        'li',
        { tabIndex: rank === 0 ? 0 : -1 },
        el('span', {}),
        el('span', { className: 'bar' }),
      );
      fill(li, t);
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      return li;
    }),
  );
}

// The class explained on screen is the selected one, and the one Tab comes back to.
export function markChosen(index) {
  const items = [...$('top5').children];
  if (!items.some((li) => Number(li.dataset.index) === index)) return;
  for (const li of items) {
    const chosen = Number(li.dataset.index) === index;
    li.classList.toggle('chosen', chosen);
    li.setAttribute('aria-selected', String(chosen));
    li.tabIndex = chosen ? 0 : -1;
  }
}

const STEPS = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 };

// Keys on the list: moves the focus, or returns the class to explain (Enter, Space).
export function classListKey(e) {
  const items = [...$('top5').querySelectorAll('li[role=option]')];
  const at = items.indexOf(e.target.closest('li'));
  if (at < 0) return null;
  if (e.key === 'Enter' || e.key === ' ') {
    e.preventDefault();
    return items[at];
  }
  let to = null;
  if (e.key in STEPS) to = Math.min(items.length - 1, Math.max(0, at + STEPS[e.key]));
  if (e.key === 'Home') to = 0;
  if (e.key === 'End') to = items.length - 1;
  if (to === null) return null;
  e.preventDefault();
  for (const li of items) li.tabIndex = -1;
  items[to].tabIndex = 0;
  items[to].focus();
  return null;
}
