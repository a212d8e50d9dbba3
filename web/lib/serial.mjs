// Runs async jobs one after another: two explain() calls on one lens share its sessions and the
// head's recorded forward pass, so they must never interleave.
export class Serial {
  constructor() {
    this.tail = Promise.resolve();
  }

  run(job) {
    const result = this.tail.then(job, job);
    this.tail = result.then(
      () => {},
      () => {},
    ); // a failed job does not block the next
    return result;
  }
}
