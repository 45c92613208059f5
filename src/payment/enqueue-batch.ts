interface Waiter {
  id: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Collects ids added while a flush is running (or within the same tick) and hands them to `flush` together. Every
 * `add` resolves once the flush that carried its id succeeded, and rejects if it failed.
 */
export class EnqueueBatch {
  private pending: Waiter[] = [];
  private flushing = false;
  private scheduled = false;

  constructor(
    private readonly flush: (ids: string[]) => Promise<void>,
    private readonly maxSize = 200,
  ) {}

  add(id: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ id, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing || this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => void this.run());
  }

  private async run(): Promise<void> {
    this.scheduled = false;
    this.flushing = true;
    const batch = this.pending.splice(0, this.maxSize);
    try {
      await this.flush(batch.map((waiter) => waiter.id));
      for (const waiter of batch) waiter.resolve();
    } catch (error) {
      for (const waiter of batch) waiter.reject(error);
    } finally {
      this.flushing = false;
      if (this.pending.length > 0) this.schedule();
    }
  }
}
