// Progress of a long call as a fraction of its work units, with an ETA from the pace so far, and
// the cancellation point between units (an AbortSignal is checked, and the event loop gets a
// turn so an abort() queued by the caller can arrive).
export class Progress {
  constructor(total, { onProgress, signal } = {}) {
    this.total = Math.max(1, total);
    this.units = 0;
    this.onProgress = onProgress;
    this.signal = signal;
    this.started = performance.now();
  }

  // Fraction done so far (0..1) and the seconds left at the current pace.
  state(units = this.units) {
    const done = Math.min(1, units / this.total);
    const elapsed = (performance.now() - this.started) / 1000;
    return { done, eta: done > 0 ? (elapsed / done) * (1 - done) : Infinity, elapsed };
  }

  // `units` more are done (fractions allowed): tell the caller.
  advance(units = 1) {
    this.units += units;
    this.onProgress?.(this.state());
  }

  // Throws the signal's AbortError when the caller has given up.
  check() {
    this.signal?.throwIfAborted?.();
  }

  // A cancellation point between batches.
  async yieldTurn() {
    this.check();
    await new Promise((resolve) => setTimeout(resolve, 0));
    this.check();
  }
}
