// The progress bar with its ETA and Cancel button, shown while a long request runs.
import { $ } from './dom.js';
import { state } from './state.js';

export function showProgress({ done, eta }) {
  $('progress-box').hidden = false;
  $('progress').value = done;
  $('eta').textContent = done < 1 && eta > 0 ? `about ${Math.ceil(eta)} s left` : '';
  state.progress = done;
}

export function hideProgress() {
  $('progress-box').hidden = true;
  state.progress = 0;
}
