interface Waiter<I, O> {
  item: I;
  resolve: (result: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Hands items added by concurrent callers to `flush` together, so many requests share one statement and one commit.
 * A flush starts at once while fewer than `maxInFlight` run (no added wait when idle); beyond that, items gather
 * until one finishes. `flush` returns one result per item, in order. When a group fails, its items are flushed again
 * one by one, so a bad item fails alone and the others get their own result.
 */
export class GroupCommit<I, O> {
  private pending: Array<Waiter<I, O>> = [];
  private inFlight = 0;
  private scheduled = false;
  private idle: Array<() => void> = [];

  constructor(
    private readonly flush: (items: I[]) => Promise<O[]>,
    private readonly options: { maxInFlight: number; maxSize: number },
  ) {}

  add(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once everything added so far has been flushed (for shutdown). */
  drained(): Promise<void> {
    if (this.inFlight === 0 && this.pending.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    // Items added in the same tick (e.g. several requests parsed from one read) join the same flush.
    setImmediate(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    const batch = this.pending.splice(0, this.options.maxSize);
    if (batch.length === 0) return this.settleIdle();
    this.inFlight++;
    try {
      const results = await this.flush(batch.map((waiter) => waiter.item));
      batch.forEach((waiter, i) => waiter.resolve(results[i]));
    } catch (error) {
      if (batch.length === 1) batch[0].reject(error);
      else await Promise.all(batch.map((waiter) => this.flush([waiter.item]).then(([result]) => waiter.resolve(result), waiter.reject)));
    } finally {
      this.inFlight--;
      if (this.pending.length > 0) this.schedule();
      else this.settleIdle();
    }
  }

  private settleIdle(): void {
    if (this.inFlight > 0 || this.pending.length > 0) return;
    for (const resolve of this.idle.splice(0)) resolve();
  }
}
