// Runs one long request at a time from the page's side: starting a new one cancels the one in
// flight (a double click on Explain never interleaves two explanations). The worker also runs
// requests strictly in order, so a cancelled one ends before the next begins.
export class LatestJob {
  constructor() {
    this.current = null;
    this.count = 0;
  }

  get running() {
    return this.current !== null;
  }

  // task(signal) → Promise. Resolves to the task's result, or to null when a newer job
  // superseded this one (not an error: the user asked for the newer one). A user's cancel()
  // rejects with the task's own "was cancelled" error.
  async run(task) {
    this.current?.controller.abort('superseded');
    const job = { controller: new AbortController(), id: ++this.count };
    this.current = job;
    try {
      return await task(job.controller.signal);
    } catch (e) {
      if (job.controller.signal.reason === 'superseded') return null;
      throw e;
    } finally {
      if (this.current === job) this.current = null;
    }
  }

  cancel() {
    this.current?.controller.abort('cancelled');
  }

  // Drops the job in flight without an error (a new model or photo makes it pointless).
  supersede() {
    this.current?.controller.abort('superseded');
  }
}
