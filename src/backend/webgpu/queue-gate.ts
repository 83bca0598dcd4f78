// Device work in the order the program issued it while a realize waits for its pipelines: a
// realize whose plan still compiles (createComputePipelineAsync) holds back every later submit,
// pool release and readback until it has run, so the queue sees them in program order.

/** A FIFO of device work that runs at once when nothing waits. */
export class QueueGate {
  private tail: Promise<void> | null = null;
  private waiting = 0;
  private failure: unknown = null;

  /** Whether some work waits (for a compile, or behind one). */
  get busy(): boolean {
    return this.tail !== null;
  }

  /** Runs `op` now when nothing waits, else after everything issued before it. */
  run(op: () => void): void {
    if (this.tail) this.chain(Promise.resolve(), op);
    else op();
  }

  /** Runs `op` with `ready`'s value once it resolves and everything issued before has run; later work waits for it. */
  after<T>(ready: Promise<T>, op: (value: T) => void): void {
    // Handled here: `ready` may reject before the work ahead of it has run.
    ready.catch(() => undefined);
    this.chain(ready, op);
  }

  /** Resolves once everything issued so far has run; throws, once, what a deferred step threw. */
  async idle(): Promise<void> {
    while (this.tail) await this.tail;
    if (this.failure !== null) {
      const e = this.failure;
      this.failure = null;
      throw e;
    }
  }

  private chain<T>(ready: Promise<T>, op: (value: T) => void): void {
    this.waiting++;
    this.tail = (this.tail ?? Promise.resolve())
      .then(() => ready)
      .then(op)
      .catch((e: unknown) => {
        this.failure ??= e;
      })
      .finally(() => {
        if (--this.waiting === 0) this.tail = null;
      });
  }
}
