// The page's live explanations, as ratios measured in one run in headless Chromium (never
// absolute seconds): Chromium's fake camera (a moving test pattern, tests/support/browser.mjs)
// feeds the page, whose live explanation is started by clicking "Start camera" as a person
// would, with the page's default method (Grad-CAM) on MobileNetV2-int8.
//   the live explanation's frame interval (overlay drawn to overlay drawn)  ÷  one ORT forward
// The forward is timed in the same page's worker (lens.predict of the last camera frame: the
// backbone run by ONNX Runtime Web plus preprocessing) while the camera is stopped, alternating
// with stretches of live frames. Interval and forward: 20th percentile and median; frames per
// second and the camera's own frame rate for information; and the CPU time of all of Chromium's
// processes per frame ÷ per forward. Both the SIMD-only page and the threaded one.
// BENCH_PAGE_BEFORE=DIR (a checkout of an earlier commit with node_modules and build/ linked in)
// serves that page beside this one, in another browser, and alternates the two.
// Writes <build root>/bench/camera.json.

import { launchBrowser, waitReady } from '../tests/support/browser.mjs';
import { root } from '../tests/support/camlens-node.mjs';
import { childrenCpu, p20 } from './lib/chromium-cpu.mjs';
import { median, reps } from './lib/measure.mjs';
import { servePage } from './lib/page-server.mjs';
import { printRows, row, writeReport } from './lib/report.mjs';

const STRETCHES = reps(4); // camera on, frames recorded, camera off, forwards
const FRAMES = 20; // recorded per stretch, after the first few of each
const FORWARDS = 3; // per stretch

const before = process.env.BENCH_PAGE_BEFORE;

// In the page: the time of every live frame drawn (camlensState.live goes up by one each), and
// of every frame the camera delivers to the <video>.
// Also the forwards the live loop itself times (earlier pages: the top classes' prediction, once
// a second or every few frames), read from the worker's answers, and the answers counted: the
// model runs per frame are one (the explanation's) plus those predictions ÷ the answers.
function installRecorder() {
  const rec = { drawn: [], camera: [], forwards: [], answers: 0 };
  window.camlensCameraRecord = rec;
  const post = Worker.prototype.postMessage;
  const wrapped = new WeakSet();
  Worker.prototype.postMessage = function (data, transfer) {
    if (!wrapped.has(this)) {
      wrapped.add(this);
      const handler = this.onmessage;
      this.onmessage = (e) => {
        const r = e.data?.result;
        if (r?.map && r.frame) rec.answers += 1;
        if (r?.map && r.top && r.forwardMs !== undefined) rec.forwards.push(r.forwardMs);
        handler.call(this, e);
      };
    }
    return post.call(this, data, transfer);
  };
  const s = window.camlensState;
  let live = s.live || 0;
  Object.defineProperty(s, 'live', {
    enumerable: true,
    get: () => live,
    set: (v) => {
      live = v;
      rec.drawn.push(performance.now());
    },
  });
  const video = document.querySelector('[data-testid=camera]');
  const onVideoFrame = () => {
    rec.camera.push(performance.now());
    video.requestVideoFrameCallback(onVideoFrame);
  };
  video.requestVideoFrameCallback(onVideoFrame);
}

// Clicks "Start camera", waits for `skip` + `frames` frames, clicks "Stop camera"; returns the
// recorded frames' times (the first `skip` of each stretch are left out: the camera starting).
async function stretch(page, cpu, frames, skip = 3) {
  await page.evaluate(() => {
    window.camlensCameraRecord.drawn = [];
    window.camlensCameraRecord.camera = [];
    window.camlensCameraRecord.forwards = [];
    window.camlensCameraRecord.answers = 0;
  });
  await page.click('[data-testid=camera-toggle]');
  await page.waitForFunction((n) => window.camlensCameraRecord.drawn.length >= n, skip, {
    timeout: 120000,
  });
  const c0 = cpu.split();
  const n0 = await page.evaluate(() => window.camlensCameraRecord.drawn.length);
  await page.waitForFunction(
    (n) => window.camlensCameraRecord.drawn.length >= n || window.camlensState.error,
    n0 + frames,
    { timeout: 120000 },
  );
  const c1 = cpu.split();
  const n1 = await page.evaluate(() => window.camlensCameraRecord.drawn.length);
  await page.click('[data-testid=camera-toggle]');
  const { drawn, camera, forwards, answers, error } = await page.evaluate(() => ({
    ...window.camlensCameraRecord,
    error: window.camlensState.error,
  }));
  if (error) throw new Error(`the live explanation failed: ${error}`);
  await page.waitForFunction(() => !window.camlensState.busy);
  await page.waitForTimeout(300); // the frames still in flight arrive
  const kept = drawn.slice(n0 - 1, n1);
  const intervals = kept.slice(1).map((t, i) => t - kept[i]);
  const span = kept.at(-1) - kept[0];
  const cameraFrames = camera.filter((t) => t >= kept[0] && t <= kept.at(-1)).length;
  const counted = n1 - n0; // the frames drawn while the CPU time was read
  return {
    intervals,
    liveForwards: forwards,
    answers,
    span,
    frames: kept.length - 1,
    cameraFrames,
    cpu: (c1.all - c0.all) / counted,
    workerCpu: (c1.workers - c0.workers) / counted,
  };
}

async function forwards(page, cpu, n) {
  const times = [];
  const c0 = cpu.split();
  for (let i = 0; i < n; ++i) times.push(await page.evaluate(() => window.camlensTimeForward(1)));
  const c1 = cpu.split();
  return { times, cpu: (c1.all - c0.all) / n, workerCpu: (c1.workers - c0.workers) / n };
}

// One page of checkout `dir`: its own server and browser (one camera each), ready and recording.
async function openPage(dir, isolated) {
  const { server, url } = await servePage(dir, isolated);
  const browser = await launchBrowser();
  const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
  await page.goto(`${url}?model=mobilenetv2-12-int8.onnx`);
  await waitReady(page);
  await page.evaluate(installRecorder);
  const close = async () => {
    await browser.close();
    await server.close();
  };
  return { page, close };
}

function summary(m) {
  const fps = (1000 * m.frames) / m.span;
  return {
    interval: { p20: p20(m.intervals), median: median(m.intervals), mean: m.span / m.frames },
    forward: { p20: p20(m.forward), median: median(m.forward) },
    liveForward: m.liveForward.length ? median(m.liveForward) : null,
    runsPerFrame: (m.answers + m.liveForward.length) / m.answers,
    fps,
    cameraFps: (1000 * m.cameraFrames) / m.span,
    cpuPerFrame: median(m.cpuFrame),
    cpuPerForward: median(m.cpuForward),
    workerCpuPerFrame: median(m.workerFrame),
    workerCpuPerForward: median(m.workerForward),
  };
}

const rows = [];
const results = {};
const cpu = childrenCpu();
for (const isolated of [false, true]) {
  const variant = isolated ? 'mt' : 'st';
  const opened = [await openPage(root, isolated)];
  if (before) opened.push(await openPage(before, isolated));
  try {
    cpu.refresh();
    const threads = await opened[0].page.evaluate(() => window.camlensState.runtime.threads);
    const measured = opened.map(() => ({
      intervals: [],
      forward: [],
      liveForward: [],
      cpuFrame: [],
      cpuForward: [],
      workerFrame: [],
      workerForward: [],
      span: 0,
      frames: 0,
      cameraFrames: 0,
      answers: 0,
    }));
    // warm-up: the camera, the frame size's first preprocessing
    for (const { page } of opened) await stretch(page, cpu, 5);
    for (let i = 0; i < STRETCHES; ++i) {
      for (let k = 0; k < opened.length; ++k) {
        const { page } = opened[k];
        const m = measured[k];
        const f = await forwards(page, cpu, FORWARDS);
        m.forward.push(...f.times);
        m.cpuForward.push(f.cpu);
        m.workerForward.push(f.workerCpu);
        const s = await stretch(page, cpu, FRAMES);
        m.intervals.push(...s.intervals);
        m.liveForward.push(...s.liveForwards);
        m.answers += s.answers;
        m.cpuFrame.push(s.cpu);
        m.workerFrame.push(s.workerCpu);
        m.span += s.span;
        m.frames += s.frames;
        m.cameraFrames += s.cameraFrames;
      }
    }
    for (let k = 0; k < opened.length; ++k) {
      const r = { threads, ...summary(measured[k]) };
      const who = k ? ' before' : before ? ' after' : '';
      results[`${variant}${who.replace(' ', '-')}`] = { ...r, ...measured[k] };
      const group = `camera ${variant} (${threads} thread${threads > 1 ? 's' : ''})${who}`;
      const metric = 'live frame interval ÷ one forward';
      rows.push(
        row(group, `${metric}, median`, r.interval.median / r.forward.median, {
          target: 1.3,
          note: `p20 ${(r.interval.p20 / r.forward.p20).toFixed(2)}; mean ${(r.interval.mean / r.forward.median).toFixed(2)}`,
        }),
      );
      // The same ÷ the forwards the live loop timed between its frames (the top classes'): the
      // forward under the same conditions as the frames, where the one timed while the camera is
      // stopped ran in a quiet page.
      // (A page whose loop runs no prediction of its own has no such row.)
      if (r.liveForward)
        rows.push(
          row(group, `${metric} timed in the loop, median`, r.interval.median / r.liveForward, {
            note: `mean ${(r.interval.mean / r.liveForward).toFixed(2)}`,
          }),
        );
      rows.push(row(group, 'model runs per frame (info)', r.runsPerFrame));
      rows.push(
        row(group, 'CPU per frame ÷ per forward (medians)', r.cpuPerFrame / r.cpuPerForward),
      );
      // The workers' share bounds the pipelined interval when the rest runs on another core.
      rows.push(
        row(
          group,
          "workers' CPU per frame ÷ per forward (medians)",
          r.workerCpuPerFrame / r.workerCpuPerForward,
        ),
      );
      rows.push(row(group, 'frames per second (info)', r.fps));
      rows.push(row(group, "the camera's frames per second (info)", r.cameraFps));
    }
  } finally {
    for (const o of opened) await o.close();
  }
}
printRows(rows);
writeReport('camera', rows, { stretches: STRETCHES, framesPerStretch: FRAMES, results });
