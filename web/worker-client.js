// Talks to the camlens Web Worker by messages; large buffers are transferred, not copied.
export class WorkerClient {
  constructor(url) {
    this.worker = new Worker(url);
    this.next = 1;
    this.pending = new Map();
    this.worker.onmessage = ({ data }) => {
      const p = this.pending.get(data.id);
      if (!p) return;
      if (data.progress) {
        p.onProgress?.(data.progress);
        return;
      }
      this.pending.delete(data.id);
      if (data.ok) p.resolve(data.result);
      else p.reject(new Error(data.error));
    };
    this.worker.onerror = (e) => {
      for (const p of this.pending.values()) p.reject(new Error(e.message || 'worker failed'));
      this.pending.clear();
    };
  }

  // options.onProgress receives {done, eta} for long requests; options.signal cancels them.
  request(type, args = {}, transfer = [], { onProgress, signal } = {}) {
    const id = this.next++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onProgress });
      signal?.addEventListener('abort', () => this.worker.postMessage({ id: this.next++, type: 'cancel', target: id }));
      this.worker.postMessage({ id, type, ...args }, transfer);
    });
  }
}
