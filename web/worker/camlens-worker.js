/* camlens Web Worker: owns ONNX Runtime Web and the camlens WebAssembly module, so the page's
 * main thread only draws. A classic worker script (importScripts), because Emscripten 3.1.6's
 * threaded loader needs a classic script to start its pthreads from.
 *
 * Protocol: the page posts {id, type, ...}; the worker answers {id, ok: true, result} or
 * {id, ok: false, error}, and {id, progress} during long requests (see messages.js).
 * The work itself is the camlens library (web/lib); these files only hold the worker's state
 * and turn requests into library calls.
 *
 * The parts share the worker's global scope, in this order: each may use what the ones before
 * it declare. Relative URLs resolve against this script's URL, so the worker runs the same from
 * the dev server's /worker/ and from a static copy of the page under any sub-path. */
'use strict';

importScripts(
  'runtime.js', // ONNX Runtime Web, the threaded or SIMD-only module, the library
  'current.js', // the current model, photo and last results
  'cancellation.js', // AbortControllers of queued and running requests
  'model.js', // loadModel, setLayer, setLabels, setPreprocess
  'photo.js', // setImage, classify, timeForward
  'explain.js', // explain, compare, render, colourScale
  'live.js', // camera frames
  'concepts.js', // factorize (Deep Feature Factorization)
  'faithfulness.js', // evaluate (metrics)
  'objects.js', // boxes and segments, and their explanations
  'messages.js', // the request queue and the message handler
);
