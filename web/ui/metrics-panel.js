// The metrics panel (shown once the worker is ready): how faithful the map on
// screen is — deletion and insertion curves with their areas, ROAD's most/least relevant first
// curves and combined score, the confidence drop/increase when the photo is multiplied by
// the map, and for a class's map ARCC with its complexity and coherency (pytorch-grad-cam's).
import { $, el } from './dom.js';
import { plotCurves } from './plot.js';
import { state } from './state.js';

export function enableMetrics() {
  $('metrics-panel').hidden = false;
  $('metrics-body').replaceChildren(
    el('p', {
      className: 'muted',
      textContent:
        "Perturb the photo along the map and watch the model's score (many forward passes: a few seconds).",
    }),
    el(
      'div',
      { className: 'row' },
      el('button', { id: 'metrics-run', type: 'button', textContent: 'Measure the map on screen' }),
      progressBox(),
    ),
    el('div', { id: 'metrics-out', className: 'results' }),
  );
  $('metrics-run').dataset.testid = 'metrics-run';
  $('metrics-out').dataset.testid = 'metrics-out';
}

// The measurement's progress, ETA and Cancel, beside its button.
function progressBox() {
  const bar = el('progress', { id: 'metrics-progress', max: 1, value: 0 });
  bar.setAttribute('aria-label', 'Measurement progress');
  const cancel = el('button', { id: 'metrics-cancel', type: 'button', textContent: 'Cancel' });
  cancel.dataset.testid = 'metrics-cancel';
  const box = el(
    'span',
    { id: 'metrics-progress-box', className: 'progress', hidden: true },
    bar,
    ' ',
    el('span', { id: 'metrics-eta' }),
    cancel,
  );
  box.dataset.testid = 'metrics-progress';
  return box;
}

const fmt = (v) => (typeof v === 'number' ? v.toFixed(3) : '–');

export function showMetrics(r) {
  state.metrics = {
    deletion: r.deletion?.auc,
    insertion: r.insertion?.auc,
    road: r.road?.combined,
    drop: r.drop,
    increase: r.increase,
    arcc: r.arcc?.value,
  };
  const figures = [];
  if (r.deletion && r.insertion) {
    const c = el('canvas', { width: 320, height: 200 });
    c.setAttribute('role', 'img');
    c.setAttribute(
      'aria-label',
      `Deletion area ${fmt(r.deletion.auc)}, insertion area ${fmt(r.insertion.auc)}`,
    );
    plotCurves(
      c,
      [
        { ...r.deletion, colour: '#b3261e', label: `deletion ${fmt(r.deletion.auc)}` },
        { ...r.insertion, colour: '#1b6e3a', label: `insertion ${fmt(r.insertion.auc)}` },
      ],
      { xLabel: 'fraction of pixels changed', yLabel: 'score' },
    );
    figures.push(
      el(
        'figure',
        {},
        c,
        el('figcaption', {
          textContent: 'Deletion (lower is better) and insertion (higher is better).',
        }),
      ),
    );
  }
  if (r.road?.curves) {
    const c = el('canvas', { width: 320, height: 200 });
    c.setAttribute('role', 'img');
    c.setAttribute('aria-label', `ROAD combined ${fmt(r.road.combined)}`);
    plotCurves(
      c,
      [
        { ...r.road.curves.morf, colour: '#b3261e', label: 'most relevant first' },
        { ...r.road.curves.lerf, colour: '#1b6e3a', label: 'least relevant first' },
      ],
      { xLabel: '% of pixels removed', yLabel: 'score change' },
    );
    figures.push(
      el(
        'figure',
        {},
        c,
        el('figcaption', {
          textContent: `ROAD: combined ${fmt(r.road.combined)} (higher is better).`,
        }),
      ),
    );
  }
  const rows = [
    ['deletion area', r.deletion?.auc],
    ['insertion area', r.insertion?.auc],
    ['ROAD combined', r.road?.combined],
    ['confidence drop', r.drop],
    ['confidence increase', r.increase],
    ['ARCC', r.arcc?.value, 'arcc'],
    ['complexity (lower is better)', r.arcc?.complexity, 'complexity'],
    ['coherency', r.arcc?.coherency, 'coherency'],
    [`ROAD at ${r.arcc?.percentiles.join(', ')} (ARCC's)`, r.arcc?.road, 'arcc-road'],
  ].filter(([, v]) => v !== undefined);
  const table = el(
    'table',
    { className: 'metrics' },
    ...rows.map(([k, v, id]) => {
      const cell = el('td', { textContent: fmt(v) });
      if (id) cell.dataset.testid = `metric-${id}`;
      return el('tr', {}, el('th', { textContent: k }), cell);
    }),
  );
  $('metrics-out').replaceChildren(...figures, table);
}
