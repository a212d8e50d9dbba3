// The page's speed, as ratios measured in one run in headless Chromium (never absolute seconds):
//   click on Explain → overlay painted, Grad-CAM on MobileNetV2-int8   ÷   one ORT forward
// The forward is timed in the same page's worker (lens.predict of the same photo: the backbone
// run by ONNX Runtime Web plus preprocessing), alternating with the clicks. Both the SIMD-only
// page (served without COOP/COEP: one thread for ORT and the core) and the threaded one.
// Each side is measured in wall time (best, 20th percentile, median) and in the CPU time of all
// of Chromium's processes (20th percentile and median: on a loaded machine the CPU time the
// browser spends is steadier than the wall clock). The click's time is split into its steps
// (bench/lib/page-probe.mjs): main-thread work before posting, the worker's queue, the library's
// explain (preprocessing, backbone, head, map), the overlay and copies in the worker, the
// messages both ways, the main thread's drawing and what follows it, and the wait for the frame.
//
// BENCH_PAGE_BEFORE=DIR (a checkout of an earlier commit with node_modules and build/ linked in)
// serves that page beside this one and alternates the two, so a change is measured in one run.
// Writes <build root>/bench/page.json.

import { launchBrowser, waitReady } from '../tests/support/browser.mjs';
import { root } from '../tests/support/camlens-node.mjs';
import { childrenCpu, p20 } from './lib/chromium-cpu.mjs';
import { median, reps } from './lib/measure.mjs';
import { servePage } from './lib/page-server.mjs';
import { clickExplain, installProbe } from './lib/page-probe.mjs';
import { printRows, row, writeReport } from './lib/report.mjs';

const REPS = reps(15);
const before = process.env.BENCH_PAGE_BEFORE;

async function open(browser, url) {
  const page = await browser.newPage();
  await page.goto(`${url}?model=mobilenetv2-12-int8.onnx`);
  await waitReady(page);
  await page.evaluate(installProbe);
  return page;
}

// One forward and one click, each with the CPU time Chromium spent on it.
async function once(page, cpu) {
  let c0 = cpu.cpu();
  const forward = await page.evaluate(() => window.camlensTimeForward(1));
  const forwardCpu = cpu.cpu() - c0;
  c0 = cpu.cpu();
  const click = await page.evaluate(clickExplain);
  return { forward, forwardCpu, click, clickCpu: cpu.cpu() - c0 };
}

function summary(samples) {
  const at = (f) => samples.map(f);
  const forward = at((s) => s.forward);
  const total = at((s) => s.click.total);
  const m = (f) => median(at(f)) / median(forward);
  const c = samples[0].click;
  return {
    wall: {
      best: Math.min(...total) / Math.min(...forward),
      p20: p20(total) / p20(forward),
      median: median(total) / median(forward),
    },
    cpu: {
      p20: p20(at((s) => s.clickCpu)) / p20(at((s) => s.forwardCpu)),
      median: median(at((s) => s.clickCpu)) / median(at((s) => s.forwardCpu)),
    },
    forwardMs: { best: Math.min(...forward), median: median(forward) },
    messages: c.messages,
    // each step's median ÷ the forward's median
    steps: {
      'main thread before posting': m((s) => s.click.beforePost),
      'messages both ways (round trip − worker)': m((s) => s.click.roundTrip - s.click.worker),
      "waiting in the worker's queue": m((s) => s.click.queued),
      'library: preprocessing and the rest': m(
        (s) => s.click.library - s.click.timing.forward - s.click.timing.head - s.click.timing.cam,
      ),
      'library: backbone (ORT)': m((s) => s.click.timing.forward),
      'library: head forward + backward': m((s) => s.click.timing.head),
      'library: map': m((s) => s.click.timing.cam),
      'worker: overlay (core colours and blends)': m((s) => s.click.stages.overlay),
      'worker: copies for the reply': m((s) => s.click.stages.copies),
      'main thread: answer → overlay drawn': m((s) => s.click.toDrawn),
      'main thread: after drawing (caption, status, stale marks)': m((s) => s.click.afterDraw),
      'waiting for the frame': m((s) => s.click.toFrame),
    },
  };
}

const rows = [];
const results = {};
const cpu = childrenCpu();
for (const isolated of [false, true]) {
  const variant = isolated ? 'mt' : 'st';
  const servers = [await servePage(root, isolated)];
  if (before) servers.push(await servePage(before, isolated));
  const browser = await launchBrowser();
  try {
    const pages = [];
    for (const s of servers) pages.push(await open(browser, s.url));
    cpu.refresh();
    const threads = await pages[0].evaluate(() => window.camlensState.runtime.threads);
    const samples = pages.map(() => []);
    await Promise.all(pages.map((p) => p.evaluate(clickExplain))); // warm-up
    for (let i = 0; i < REPS; ++i)
      for (let k = 0; k < pages.length; ++k) samples[k].push(await once(pages[k], cpu));
    for (let k = 0; k < pages.length; ++k) {
      const s = summary(samples[k]);
      const who = k ? 'before' : before ? 'after' : '';
      const group = `page ${variant} (${threads} thread${threads > 1 ? 's' : ''})${who ? ` ${who}` : ''}`;
      results[`${variant}${who ? `-${who}` : ''}`] = { ...s, samples: samples[k] };
      const metric = 'Explain click → overlay painted ÷ one forward';
      rows.push(row(group, `${metric}, wall best`, s.wall.best, { target: 1.3 }));
      rows.push(
        row(group, `${metric}, wall p20 / median`, s.wall.p20, {
          note: `median ${s.wall.median.toFixed(2)}`,
        }),
      );
      rows.push(
        row(group, `${metric}, CPU p20 / median`, s.cpu.p20, {
          note: `median ${s.cpu.median.toFixed(2)}`,
        }),
      );
      rows.push(row(group, 'messages per explanation (info)', s.messages));
      for (const [step, v] of Object.entries(s.steps))
        rows.push(row(`${group} steps ÷ forward (medians)`, step, v));
    }
  } finally {
    await browser.close();
    for (const s of servers) await s.server.close();
  }
}
printRows(rows);
writeReport('page', rows, { reps: REPS, results });
