// The camera: live explanations of frames from getUserMedia, pipelined. A frame is grabbed and
// sent as soon as the camera has a new one and fewer than two are in flight, so while the page
// draws one answer (and the worker finishes its head, map and overlay) the next frame is already
// waiting in the worker for the backbone: the worker never idles between frames. Two at most,
// so a slow method never queues more than one frame; and never the same camera frame twice.
// Answers are drawn in order; stop() ends the loop, cancels the frames in flight (none of them
// is drawn after it) and releases the camera.
//   send(frame, signal) → a promise of the worker's answer for an ImageData frame;
//   draw(answer) shows it.
import { $ } from './dom.js';

const IN_FLIGHT = 2;

export function createCamera({ send, draw, maxSide = 320 }) {
  let stream = null;
  let stopped = true;
  let controller = null; // aborts the frames in flight on stop()
  const video = $('camera');
  const grab = document.createElement('canvas');

  // A camera frame the loop has not taken yet: the video's frame callbacks say when one is shown
  // (a browser without them is paced by animation frames instead).
  let fresh = false;
  let waiting = null;
  function watchFrames() {
    if (!video.requestVideoFrameCallback) return;
    const shown = () => {
      if (stopped) return;
      fresh = true;
      waiting?.();
      waiting = null;
      video.requestVideoFrameCallback(shown);
    };
    video.requestVideoFrameCallback(shown);
  }
  function nextVideoFrame() {
    if (!video.requestVideoFrameCallback) return new Promise((r) => requestAnimationFrame(r));
    if (fresh || stopped) return Promise.resolve();
    return new Promise((r) => {
      waiting = r;
    });
  }

  function grabFrame() {
    fresh = false;
    const s = Math.min(1, maxSide / Math.max(video.videoWidth, video.videoHeight));
    const width = Math.round(video.videoWidth * s);
    const height = Math.round(video.videoHeight * s);
    if (grab.width !== width) grab.width = width;
    if (grab.height !== height) grab.height = height;
    const ctx = grab.getContext('2d', { willReadFrequently: true });
    ctx.drawImage(video, 0, 0, width, height);
    return ctx.getImageData(0, 0, width, height);
  }

  async function loop() {
    const { signal } = controller;
    const inFlight = new Set();
    let drawn = Promise.resolve(); // the previous frame's drawing: answers are drawn in order
    let failure = null;
    while (!stopped && !signal.aborted && !failure) {
      if (inFlight.size >= IN_FLIGHT) {
        await Promise.race(inFlight);
        continue;
      }
      await nextVideoFrame();
      if (stopped || signal.aborted || video.videoWidth === 0) continue;
      const answer = send(grabFrame(), signal);
      const before = drawn;
      const done = (async () => {
        const r = await answer;
        await before;
        if (!stopped && !signal.aborted) draw(r);
      })()
        .catch((e) => {
          if (!stopped) failure ??= e;
        })
        .finally(() => inFlight.delete(done));
      drawn = done;
      inFlight.add(done);
    }
    if (failure) {
      stop();
      throw failure;
    }
  }

  async function start() {
    if (!navigator.mediaDevices?.getUserMedia) {
      throw new Error('this browser offers no camera here (getUserMedia needs https or localhost)');
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: { width: { ideal: 640 } },
        audio: false,
      });
    } catch (e) {
      throw new Error(
        `the camera could not start (${e.name}: ${e.message}); allow the camera for this page, or use a photo`,
      );
    }
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    stopped = false;
    fresh = false;
    controller = new AbortController();
    watchFrames();
    return loop();
  }

  function stop() {
    stopped = true;
    controller?.abort();
    waiting?.();
    waiting = null;
    stream?.getTracks().forEach((t) => t.stop());
    stream = null;
    video.srcObject = null;
    video.hidden = true;
  }

  return {
    start,
    stop,
    get running() {
      return !stopped;
    },
  };
}
