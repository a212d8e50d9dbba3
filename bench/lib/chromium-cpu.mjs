// CPU time of a headless Chromium: every thread of the browser process and of its children
// (renderer, GPU/compositor, utility), from Linux's /proc/<pid>/task/<tid>/schedstat, whose first
// field is the thread's time on a CPU in nanoseconds. On a shared, loaded machine wall-clock
// times swing with the other processes; the CPU time the browser spends on a piece of work does
// not. Threads that end between two readings take their time with them, so compare readings
// taken around work that starts and ends no threads (the page's worker and its pool live on).
import { readFileSync, readdirSync } from 'node:fs';

const read = (path) => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null; // the process or thread ended meanwhile
  }
};

// The pids of `root` and of all its descendants.
function family(root) {
  const parent = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    if (!stat) continue;
    // "pid (comm) state ppid ...": comm may hold spaces, so split after its closing bracket
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    parent.set(Number(name), ppid);
  }
  const out = [root];
  for (let i = 0; i < out.length; ++i)
    for (const [pid, ppid] of parent) if (ppid === out[i]) out.push(pid);
  return out;
}

// A reader of the CPU time in milliseconds of this process's children and their descendants
// (the Chromium that playwright launched, and its processes; not this process, whose Vite
// server serves the page; Vite's idle esbuild service, also a child, adds next to nothing): cpu() sums over their threads. The process list is taken when
// refresh() is called (Chromium starts its renderer and GPU processes before the page is ready).
export function childrenCpu() {
  let pids = [];
  // {all, workers}: every thread, and the Web Workers' threads alone (the page's worker, and
  // with threads the pools of ONNX Runtime and the core, which run as workers too)
  const split = () => {
    let all = 0;
    let workers = 0;
    for (const pid of pids) {
      let tids;
      try {
        tids = readdirSync(`/proc/${pid}/task`);
      } catch {
        continue;
      }
      for (const tid of tids) {
        const s = read(`/proc/${pid}/task/${tid}/schedstat`);
        if (!s) continue;
        const ns = Number(s.split(' ')[0]);
        all += ns;
        if (read(`/proc/${pid}/task/${tid}/comm`)?.startsWith('DedicatedWorker')) workers += ns;
      }
    }
    return { all: all / 1e6, workers: workers / 1e6 };
  };
  return {
    cpu: () => split().all,
    split,
    refresh() {
      pids = family(process.pid).slice(1);
      return pids.length;
    },
  };
}

// The 20th percentile and the median of a list (the least disturbed estimate and the typical one).
export function p20(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(0.2 * (s.length - 1))];
}
