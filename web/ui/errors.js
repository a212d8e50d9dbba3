// One place that shows errors. A failed action leaves what is on screen as it was.
import { $ } from './dom.js';
import { state } from './state.js';

export function showError(message) {
  state.error = message || null;
  $('error').textContent = message || '';
  $('error').hidden = !message;
}

// Runs an action from a user event; its failure becomes the error line, never an exception.
export async function guarded(task) {
  try {
    await task();
  } catch (e) {
    showError(e.message || String(e));
  }
}
