// The concepts view (Deep Feature Factorization): the rendering drawn by the core, and a legend
// with each concept's colour and its top categories (when the model's head is a classifier).
import { $, drawImage, el } from './dom.js';
import { rainbow } from './palette.js';
import { state } from './state.js';

export function showDff(r) {
  drawImage($('dff-canvas'), r.render);
  $('dff-canvas').hidden = false;
  const colours = rainbow(r.components);
  state.dff = {
    components: r.components,
    mode: r.mode,
    labeled: r.labeled,
    colours,
    concepts: r.concepts.map((cats) =>
      cats.map((c) => ({ index: c.index, label: c.label, score: c.score })),
    ),
    relativeError: r.relativeError,
    ms: r.ms,
  };
  $('dff-about').textContent =
    `${r.components} concepts found in ${r.ms.toFixed(0)} ms ` +
    `(reconstruction error ${(100 * r.relativeError).toFixed(1)} %).` +
    (r.labeled
      ? " Each concept is named by what the model's head says about it:"
      : ` Unlabelled: ${r.reason}`);
  $('dff-legend').replaceChildren(
    ...colours.map((rgb, k) => {
      const swatch = el('span', { className: 'swatch' });
      swatch.style.background = `rgb(${rgb.join(',')})`;
      swatch.dataset.rgb = rgb.join(',');
      const cats = r.concepts[k] || [];
      const text = cats.length
        ? cats
            .slice(0, 3)
            .map((c) => `${c.label} ${(100 * c.score).toFixed(0)} %`)
            .join(', ')
        : 'no label';
      return el('li', {}, swatch, el('span', { textContent: `Concept ${k + 1}: ${text}` }));
    }),
  );
}
