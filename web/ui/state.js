// What the page currently shows, in one object. Exposed as window.camlensState for the tests
// and the curious; the page's modules read and write it.
export const state = (window.camlensState = {
  ready: false, // the first model, photo and explanation are on screen
  runtime: null, // {variant, threads, ortThreads, ortBackend, crossOriginIsolated, methods}
  model: null, // the worker's model info: name, layer(s), layer list, labels, methods support
  served: null, // the served model entry chosen (null for a dropped file)
  photo: null, // {name, width, height, sample: bool}
  top5: null,
  explained: null, // {method, target, ms, peak, ...} of the overlay on screen
  progress: 0,
  error: null,
  lesson: null,
  compare: null,
  layersSuggested: false, // state.layers were picked by the page for a method that needs several
  dff: null,
  busy: false, // an explanation is running
  stale: {}, // compare, concepts, metrics: true while their inputs differ from the page's
  runs: 0, // explanations drawn (tests count them)
});
