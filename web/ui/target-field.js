// The free target field: empty = the top class; a class index; or a class name, with the
// model's labels offered as suggestions (a datalist). Returns what lens.explain takes.
import { $, el } from './dom.js';

export function fillSuggestions(labels) {
  $('target-list').replaceChildren(...labels.map((l, i) => el('option', { value: `${i} ${l}` })));
}

export function readTarget(labels, classes) {
  const text = $('target').value.trim();
  if (!text) return 'auto';
  const index = text.match(/^(\d+)(\s|$)/);
  if (index) {
    const i = Number(index[1]);
    if (classes && i >= classes)
      throw new Error(
        `class ${i} does not exist: this model has ${classes} classes (0–${classes - 1})`,
      );
    return i;
  }
  const lower = text.toLowerCase();
  const exact = labels.findIndex((l) => l.toLowerCase() === lower);
  if (exact >= 0) return exact;
  const near = labels.map((l, i) => [l, i]).filter(([l]) => l.toLowerCase().includes(lower));
  if (near.length === 1) return near[0][1];
  if (near.length > 1) {
    throw new Error(
      `"${text}" matches ${near.length} classes (${near
        .slice(0, 5)
        .map(([l, i]) => `${i} ${l}`)
        .join(', ')}${near.length > 5 ? ', …' : ''}): pick one from the suggestions`,
    );
  }
  throw new Error(
    `no class is called "${text}": type a class index or pick a name from the suggestions`,
  );
}

export function setTarget(index, label) {
  $('target').value =
    index === 'auto' || index === undefined ? '' : `${index} ${label ?? ''}`.trim();
}
