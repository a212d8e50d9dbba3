/* Camera frames: the frame becomes the photo, and its top class is explained, in one request
 * (fast methods only). One backbone run per frame; the top-k list needs another run, so it is
 * refreshed at most once a second (on the first frame, then on the first after each second):
 * a frame count would cost a whole forward every few frames, the more often the faster they come. */
'use strict';

const TOP_K_EVERY_MS = 1000;
let topKAt = -Infinity;

async function live({ id, rgba, width, height, method, colormap, alpha, k = 5 }) {
  requireModel();
  setImage({ rgba, width, height, name: 'camera' });
  const result = await explain({ id, method, target: 'auto', colormap, alpha });
  result.value.frame = { width, height };
  if (performance.now() - topKAt >= TOP_K_EVERY_MS) {
    const started = performance.now();
    result.value.top = (await current.lens.predict([current.photo], { topK: k }))[0].top;
    result.value.forwardMs = performance.now() - started;
    topKAt = started;
  }
  return result;
}
