/**
 * Group commit, written once for both stores: writes asked for in the same turn of the event loop are committed
 * together (one SQLite transaction, one fsync; one MongoDB insertMany), and each caller is answered with its own
 * write's outcome only once the commit holding it is durable. Under load, concurrent submissions share a commit
 * instead of queueing behind one each. The adapter gives the commit of a batch; everything else is here.
 */
export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Waiting<T, R> {
  item: T;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit<T, R> {
  private pending: Array<Waiting<T, R>> = [];
  private flushing: Promise<void> = Promise.resolve();

  /** `commit` answers one outcome per item, in order; if it throws, every item of the batch failed with it. */
  constructor(private readonly commit: (items: T[]) => Outcome<R>[] | Promise<Outcome<R>[]>) {}

  add(item: T): Promise<R> {
    return new Promise((resolve, reject) => {
      if (this.pending.length === 0) setImmediate(() => { this.flushing = this.flush(); });
      this.pending.push({ item, resolve, reject });
    });
  }

  /** Commits what is waiting now and waits for every commit under way (before closing the store). */
  async drain(): Promise<void> {
    if (this.pending.length > 0) this.flushing = this.flush();
    await this.flushing;
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    if (batch.length === 0) return;
    try {
      const outcomes = await this.commit(batch.map((w) => w.item));
      batch.forEach((w, i) => {
        const outcome = outcomes[i] as Outcome<R>;
        if (outcome.ok) w.resolve(outcome.value);
        else w.reject(outcome.error);
      });
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
