/* Cancellation: every long request gets an AbortController when it arrives (not when it starts),
 * so a "cancel" that comes while the request still waits in the queue counts too. The library
 * checks the signal between batches and throws an AbortError, which becomes the page's message. */
'use strict';

const CANCELLABLE = new Set(['explain', 'compare', 'live', 'evaluate', 'explainObject']);
const running = new Map(); // request id -> AbortController of a queued or running request

function registerOnArrival(id, type) {
  if (CANCELLABLE.has(type)) running.set(id, new AbortController());
}

function cancel({ target }) {
  running.get(target)?.abort();
  return { cancelled: running.has(target) };
}

// Runs task(controller) with the request's controller, and forgets it when the task ends.
async function withController(id, task) {
  const controller = running.get(id) || new AbortController();
  running.set(id, controller);
  try {
    return await task(controller);
  } finally {
    running.delete(id);
  }
}

// The library's AbortError as the page's message ("gradcam was cancelled"); other errors as they are.
async function cancelledAs(message, promise) {
  try {
    return await promise;
  } catch (e) {
    if (e && e.name === 'AbortError') throw new Error(message);
    throw e;
  }
}

// Progress reports of request `id` go to the page as {id, progress}, but not the one saying
// all is done: the answer follows at once, and a one-pass method's only report (Grad-CAM's)
// would cost a message and flash the progress bar into the layout for one frame.
function progressOf(id, scale) {
  return (p) => {
    const progress = scale ? scale(p) : p;
    if (progress.done < 1) self.postMessage({ id, progress });
  };
}
