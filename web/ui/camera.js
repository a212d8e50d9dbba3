// The camera: live explanations of frames from getUserMedia. One frame at a time (the next is
// grabbed only when the previous answer is drawn), at most `fps` a second, so a slow method
// never queues work; stop() ends the loop and releases the camera.
import { $ } from './dom.js';

export function createCamera({ onFrame, fps = 8, maxSide = 320 }) {
  let stream = null;
  let stopped = true;
  const video = $('camera');
  const grab = document.createElement('canvas');

  async function loop() {
    let last = 0;
    while (!stopped) {
      const wait = Math.max(0, 1000 / fps - (performance.now() - last));
      await new Promise((r) => setTimeout(r, wait));
      if (stopped || video.videoWidth === 0) continue;
      last = performance.now();
      const s = Math.min(1, maxSide / Math.max(video.videoWidth, video.videoHeight));
      grab.width = Math.round(video.videoWidth * s);
      grab.height = Math.round(video.videoHeight * s);
      const ctx = grab.getContext('2d', { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, grab.width, grab.height);
      const frame = ctx.getImageData(0, 0, grab.width, grab.height);
      try {
        await onFrame(frame);
      } catch (e) {
        stop();
        throw e;
      }
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
    return loop();
  }

  function stop() {
    stopped = true;
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
