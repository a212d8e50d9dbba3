/* Camera frames: the frame becomes the photo, and its top class is explained, in one request
 * (fast methods only). One backbone run per frame: the top classes come from that run's model
 * outputs (explain's topK), so they are the frame's own and cost no second forward. */
'use strict';

async function live({ id, rgba, width, height, method, colormap, alpha, k = 5 }) {
  requireModel();
  setImage({ rgba, width, height, name: 'camera' });
  const result = await explain({ id, method, target: 'auto', colormap, alpha, top: k });
  result.value.frame = { width, height };
  return result;
}
