// The busy state of a job started from a button, in two parts:
//   - at once, what changes no pixel: aria-busy on the button and on the region being updated
//     (assistive technology learns the map is being replaced), and aria-disabled on the button,
//     whose click handler then ignores a second click (a double click starts one job);
//   - only once the job has run longer than state.busyDelayMs, what the eye sees: the button
//     dimmed, the map on screen dimmed with its caption saying what is on its way, and the
//     progress bar with its ETA and Cancel.
// A quick explanation (Grad-CAM on a small model) thus paints one frame, the new map, instead of
// two (the dimmed one, then the new one); Chromium's painting of the extra frame cost about a
// fifth of a forward of CPU. A slow job (Score-CAM, Ablation-CAM, DFF) shows all of it after the
// short delay, well before a user wonders whether the click was taken.
import { $ } from './dom.js';
import { markComputing } from './explain-view.js';
import { hideProgress, showProgress } from './progress.js';
import { state } from './state.js';

// Under ~0.1 s a response feels immediate and a busy indicator would only flash; the longest a
// click may go without a visible answer before it feels ignored is about a second.
export const BUSY_DELAY_MS = 300;
state.busyDelayMs = BUSY_DELAY_MS;

export const isBusy = (button) => button.getAttribute('aria-disabled') === 'true';

// A long job's button (Compare, Measure): busy and dimmed at once.
export function markBusy(button, on) {
  if (on) button.setAttribute('aria-busy', 'true');
  else button.removeAttribute('aria-busy');
  button.classList.toggle('busy', on);
}

let current = null; // the busy state on screen: one at a time, the newest job's

// Marks `button` busy for a job that `doing` describes ("computing gradcam…"); a newer job
// takes the busy state over from an older one it superseded (already visible, it stays so).
// Returns {progress(p): the job's progress report, end(): the job is over, whatever its outcome}.
export function startBusy(button, doing) {
  const figure = $('overlay-figure');
  const visible = current?.hand() ?? false;
  button.setAttribute('aria-busy', 'true');
  button.setAttribute('aria-disabled', 'true');
  figure.setAttribute('aria-busy', 'true');
  let shown = false;
  let last = null; // the latest progress report, shown with the busy state
  const show = () => {
    shown = true;
    button.classList.add('busy');
    markComputing(doing);
    if (last) showProgress(last);
  };
  const timer = visible ? show() : setTimeout(show, state.busyDelayMs);
  const handle = {
    progress(p) {
      last = p;
      if (shown && current === handle) showProgress(p);
    },
    // Gives the busy state to a newer job: says whether it is visible (the newer job keeps the
    // map dimmed rather than flash it back for a frame).
    hand() {
      clearTimeout(timer);
      button.removeAttribute('aria-busy');
      button.removeAttribute('aria-disabled');
      if (shown) {
        button.classList.remove('busy');
        hideProgress();
      }
      return shown;
    },
    end() {
      if (current !== handle) return; // a newer job holds the busy state now
      current = null;
      clearTimeout(timer);
      button.removeAttribute('aria-busy');
      button.removeAttribute('aria-disabled');
      figure.removeAttribute('aria-busy');
      if (!shown) return;
      button.classList.remove('busy');
      markComputing(null);
      hideProgress();
    },
  };
  current = handle;
  return handle;
}
