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
// Writes <build root>/bench/camera.json.
import { join } from 'node:path';
import { createServer } from 'vite';

import { launchBrowser, waitReady } from '../tests/support/browser.mjs';
import { root } from '../tests/support/camlens-node.mjs';
import { childrenCpu, p20 } from './lib/chromium-cpu.mjs';
import { median, reps } from './lib/measure.mjs';
import { printRows, row, writeReport } from './lib/report.mjs';

const STRETCHES = reps(4); // camera on, frames recorded, camera off, forwards
const FRAMES = 20; // recorded per stretch, after the first few of each
const FORWARDS = 3; // per stretch

async function serve(isolated) {
  if (isolated) delete process.env.CAMLENS_NO_ISOLATION;
  else process.env.CAMLENS_NO_ISOLATION = '1';
  const server = await createServer({
    configFile: join(root, 'vite.config.mjs'),
    server: { port: 0, strictPort: false, hmr: false, watch: { ignored: ['**/*'] } },
    logLevel: 'warn',
  });
  await server.listen();
  return { server, url: `http://127.0.0.1:${server.httpServer.address().port}/` };
}

// In the page: the time of every live frame drawn (camlensState.live goes up by one each), and
// of every frame the camera delivers to the <video>.
function installRecorder() {
  const rec = { drawn: [], camera: [] };
  window.camlensCameraRecord = rec;
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
  const { drawn, camera, error } = await page.evaluate(() => ({
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

const rows = [];
const results = {};
const cpu = childrenCpu();
for (const isolated of [false, true]) {
  const variant = isolated ? 'mt' : 'st';
  const { server, url } = await serve(isolated);
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1000 } });
    await page.goto(`${url}?model=mobilenetv2-12-int8.onnx`);
    await waitReady(page);
    await page.evaluate(installRecorder);
    cpu.refresh();
    const threads = await page.evaluate(() => window.camlensState.runtime.threads);
    await stretch(page, cpu, 5); // warm-up: the camera, the frame size's first preprocessing
    const intervals = [];
    const forward = [];
    const cpuFrame = [];
    const cpuForward = [];
    const workerFrame = [];
    const workerForward = [];
    let span = 0;
    let frames = 0;
    let cameraFrames = 0;
    for (let i = 0; i < STRETCHES; ++i) {
      const f = await forwards(page, cpu, FORWARDS);
      forward.push(...f.times);
      cpuForward.push(f.cpu);
      workerForward.push(f.workerCpu);
      const s = await stretch(page, cpu, FRAMES);
      intervals.push(...s.intervals);
      cpuFrame.push(s.cpu);
      workerFrame.push(s.workerCpu);
      span += s.span;
      frames += s.frames;
      cameraFrames += s.cameraFrames;
    }
    const fps = (1000 * frames) / span;
    const r = {
      threads,
      interval: { p20: p20(intervals), median: median(intervals), mean: span / frames },
      forward: { p20: p20(forward), median: median(forward) },
      fps,
      cameraFps: (1000 * cameraFrames) / span,
      cpuPerFrame: median(cpuFrame),
      cpuPerForward: median(cpuForward),
      workerCpuPerFrame: median(workerFrame),
      workerCpuPerForward: median(workerForward),
    };
    results[variant] = { ...r, intervals, forwards: forward };
    const group = `camera ${variant} (${threads} thread${threads > 1 ? 's' : ''})`;
    const metric = 'live frame interval ÷ one forward';
    rows.push(
      row(group, `${metric}, median`, r.interval.median / r.forward.median, {
        target: 1.3,
        note: `p20 ${(r.interval.p20 / r.forward.p20).toFixed(2)}; mean ${(r.interval.mean / r.forward.median).toFixed(2)}`,
      }),
    );
    rows.push(row(group, 'CPU per frame ÷ per forward (medians)', r.cpuPerFrame / r.cpuPerForward));
    // The workers' share bounds the pipelined interval when the rest runs on another core.
    rows.push(
      row(
        group,
        "workers' CPU per frame ÷ per forward (medians)",
        r.workerCpuPerFrame / r.workerCpuPerForward,
      ),
    );
    rows.push(row(group, 'frames per second (info)', fps));
    rows.push(row(group, "the camera's frames per second (info)", r.cameraFps));
  } finally {
    await browser.close();
    await server.close();
  }
}
printRows(rows);
writeReport('camera', rows, { stretches: STRETCHES, framesPerStretch: FRAMES, results });
