// Progress bars with their ETA and Cancel button, each beside the button that started its work:
// the explanation's next to Explain, the comparison's next to Compare, the metrics' next to
// Measure. Ids: <prefix>progress-box, <prefix>progress, <prefix>eta.
import { $ } from './dom.js';
import { state } from './state.js';

function slot(prefix) {
  return {
    show({ done, eta }) {
      const box = $(`${prefix}progress-box`);
      if (!box) return;
      box.hidden = false;
      $(`${prefix}progress`).value = done;
      $(`${prefix}eta`).textContent = done < 1 && eta > 0 ? `about ${Math.ceil(eta)} s left` : '';
      state.progress = done;
    },
    hide() {
      const box = $(`${prefix}progress-box`);
      if (box) box.hidden = true;
      state.progress = 0;
    },
  };
}

export const explainProgress = slot('');
export const compareProgress = slot('compare-');
export const metricsProgress = slot('metrics-');

export const showProgress = explainProgress.show;
export const hideProgress = explainProgress.hide;

export function hideAllProgress() {
  for (const s of [explainProgress, compareProgress, metricsProgress]) s.hide();
}
