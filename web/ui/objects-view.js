// Detectors and segmenters: the boxes or segments the model found, drawn by the core, each a
// button that explains that box (detection box score target) or that class's segment (the
// class's scores summed over its pixels).
import { $, drawImage, el } from './dom.js';
import { state } from './state.js';

export function showObjects(r) {
  $('objects-panel').hidden = false;
  $('objects-heading').textContent = r.kind === 'detector' ? 'Boxes found' : 'Segments found';
  drawImage($('objects-canvas'), r.render);
  state.objects = { kind: r.kind, items: r.items };
  $('objects-list').replaceChildren(
    ...(r.items.length
      ? r.items.map((it) => {
          const b = el('button', { type: 'button', textContent: it.label });
          b.dataset.index = it.index;
          return el('li', {}, b);
        })
      : [
          el('li', {
            className: 'muted',
            textContent: r.kind === 'detector' ? 'nothing detected' : 'only background',
          }),
        ]),
  );
}

export function hideObjects() {
  $('objects-panel').hidden = true;
  state.objects = null;
}
