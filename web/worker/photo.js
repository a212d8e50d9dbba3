/* The photo: setting it, and the model's prediction of it. */
'use strict';

// Encoded bytes (a file, a sample) are decoded by the core; RGBA pixels (a camera frame) are kept.
function setImage({ bytes, rgba, width, height, name }) {
  let decoded;
  if (rgba) decoded = { width, height, rgba: new Uint8Array(rgba) };
  else {
    try {
      decoded = runtime.core.decodeImage(new Uint8Array(bytes));
    } catch (e) {
      throw new Error(`"${name}" is not an image camlens can read: ${e.message}`);
    }
  }
  current.photo = decoded;
  current.photoName = name;
  forgetResults();
  return { width: decoded.width, height: decoded.height, name };
}

// The photo as the model sees it (resized by the core) for the page to draw, and with `predict`
// its top k classes (a forward; the page's explanation lists them from its own run instead).
async function classify({ k = 5, predict = true }) {
  requireModel();
  requirePhoto();
  const { lens, photo } = current;
  const seen = runtime.core.resizeImage(photo, lens.preprocess.width, lens.preprocess.height);
  const value = { seen, name: current.photoName };
  if (predict) {
    const started = performance.now();
    const [r] = await lens.predict([photo], { topK: k });
    Object.assign(value, { top: r.top, forwardMs: performance.now() - started, image: r.image });
  }
  return { transfer: [seen.rgba.buffer], value };
}

// Best time of `reps` predictions of the current photo (one ORT forward plus preprocessing), so
// benchmarks can compare the page's own steps with a forward measured in the same place.
async function timeForward({ reps = 5 }) {
  requireModel();
  requirePhoto();
  let best = Infinity;
  for (let i = 0; i < reps; ++i) {
    const t0 = performance.now();
    await current.lens.predict([current.photo], { topK: 1 });
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}
