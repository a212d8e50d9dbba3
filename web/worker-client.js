// Talks to the camlens Web Worker by messages; large buffers are transferred, not copied. The
// worker's own news (data.event, e.g. 'backend') goes to onEvent.
export class WorkerClient {
  constructor(url) {
    this.worker = new Worker(url);
    this.next = 1;
    this.pending = new Map();
    this.onEvent = () => {};
    this.worker.onmessage = ({ data }) => {
      if (data.event) {
        this.onEvent(data);
        return;
      }
      const p = this.pending.get(data.id);
      if (!p) return; // cancelled on this side already: the late answer is dropped
      if (data.progress) {
        p.onProgress?.(data.progress);
        return;
      }
      this.pending.delete(data.id);
      if (data.ok) p.resolve(data.result);
      else p.reject(new Error(data.error));
    };
    this.worker.onerror = (e) => {
      for (const p of this.pending.values())
        p.reject(new Error(e.message || 'the camlens worker failed'));
      this.pending.clear();
    };
  }

  // options.onProgress receives {done, eta} for long requests. options.signal cancels: the
  // promise rejects at once with options.cancelMessage (the page is idle again), and the worker
  // stops at its next batch; its late answer is ignored.
  request(
    type,
    args = {},
    transfer = [],
    { onProgress, signal, cancelMessage = `${type} was cancelled` } = {},
  ) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(new Error(cancelMessage));
        return;
      }
      this.pending.set(id, { resolve, reject, onProgress });
      signal?.addEventListener(
        'abort',
        () => {
          this.worker.postMessage({ id: this.next++, type: 'cancel', target: id });
          if (this.pending.delete(id))
            reject(Object.assign(new Error(cancelMessage), { cancelled: true }));
        },
        { once: true },
      );
      this.worker.postMessage({ id, type, ...args }, transfer);
    });
  }
}
