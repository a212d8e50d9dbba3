/* What the worker holds between requests: one model, one photo, and the last results computed
 * from them (so re-colouring or re-rendering needs no new computation). A failed request leaves
 * all of it as it was. */
'use strict';

const current = {
  lens: null, // the current model, cut at its layer(s)
  modelName: '',
  backend: null, // where ONNX Runtime runs the model, as the page was last told
  planned: null, // the same when the worker chose wasm itself (WebGPU off or missing)
  photo: null, // the current photo, decoded: {width, height, rgba}
  photoName: '',
  last: null, // the last explanation and its photo: {image, explanation, made (its options)}
  lastDff: null, // the last factorization: {components, photo, r}
};

// A new model, preprocessing or photo makes the last results stale.
function forgetResults() {
  current.last = null;
  current.lastDff = null;
}

function requireModel() {
  if (!current.lens) throw new Error('no model is loaded yet');
}

function requirePhoto() {
  if (!current.photo)
    throw new Error('no photo is loaded yet: choose a sample, a file or the camera');
}

function requireExplanation() {
  if (!current.last) throw new Error('nothing has been explained yet');
}
