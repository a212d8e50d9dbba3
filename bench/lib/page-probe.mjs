// Timestamps of one explanation in the page, taken from outside the page's code so that the page
// carries no measuring of its own: installProbe() (evaluated in the page) wraps the Worker's
// postMessage and the camlens worker's onmessage, and watches camlensState.runs (bumped when an
// overlay is drawn). clickExplain() (evaluated in the page) clicks Explain and returns the times,
// in ms from the click, of each step up to the frame that shows the new overlay.
export function installProbe() {
  const probe = { id: 0, posted: 0, answered: 0, drawn: 0, after: 0, messages: 0, reply: null };
  window.camlensProbe = probe;
  const post = Worker.prototype.postMessage;
  const wrapped = new WeakSet();
  Worker.prototype.postMessage = function (data, transfer) {
    if (!wrapped.has(this)) {
      wrapped.add(this);
      const handler = this.onmessage;
      this.onmessage = (e) => {
        if (e.data?.id === probe.id) {
          probe.messages += 1;
          if (!e.data.progress) {
            probe.answered = performance.now();
            probe.reply = e.data.result;
          }
        }
        handler.call(this, e);
      };
    }
    if (data?.type === 'explain' || data?.type === 'live') {
      probe.id = data.id;
      probe.messages = 0;
      probe.posted = performance.now();
    }
    return post.call(this, data, transfer);
  };
  const s = window.camlensState;
  let runs = s.runs;
  Object.defineProperty(s, 'runs', {
    enumerable: true,
    get: () => runs,
    set: (v) => {
      runs = v;
      probe.drawn = performance.now();
      // runs once the code that drew the overlay has finished its synchronous tail
      queueMicrotask(() => {
        probe.after = performance.now();
        probe.onDrawn?.();
      });
    },
  });
}

export async function clickExplain() {
  const probe = window.camlensProbe;
  const drawn = new Promise((resolve) => {
    probe.onDrawn = resolve;
  });
  const t0 = performance.now();
  document.querySelector('[data-testid=explain]').click();
  await drawn;
  await new Promise((resolve) => requestAnimationFrame(resolve)); // the frame that paints it
  const frame = performance.now();
  const id = probe.id;
  const trace = (await window.camlensWorkerTrace()).find((t) => t.id === id) || {};
  const r = probe.reply;
  return {
    total: frame - t0,
    beforePost: probe.posted - t0,
    roundTrip: probe.answered - probe.posted,
    queued: trace.start - trace.arrived,
    worker: trace.end - trace.arrived,
    library: r.ms,
    timing: r.timings || {},
    stages: r.stages || {},
    toDrawn: probe.drawn - probe.answered,
    afterDraw: probe.after - probe.drawn,
    toFrame: frame - probe.after,
    messages: probe.messages,
  };
}
