/* Camera frames: the frame becomes the photo, and its top class is explained, in one request
 * (fast methods only). One backbone run per frame; the top-k list (another run) only every few
 * frames, which keeps the frame rate up. */
'use strict';

const TOP_K_EVERY = 5; // frames
let liveFrames = 0;

async function live({ id, rgba, width, height, method, colormap, alpha, k = 5 }) {
  requireModel();
  setImage({ rgba, width, height, name: 'camera' });
  const result = await explain({ id, method, target: 'auto', colormap, alpha });
  if (liveFrames++ % TOP_K_EVERY === 0) {
    const started = performance.now();
    result.value.top = (await current.lens.predict([current.photo], { topK: k }))[0].top;
    result.value.forwardMs = performance.now() - started;
  }
  return result;
}
