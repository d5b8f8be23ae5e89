/**
 * Group commit without a timer: an item submitted while no flush is in flight is flushed at
 * once (no added latency at low load); items submitted during a flush wait and go out together
 * in the next one. Used by the audit writer and by the secret store's put.
 */

/** A group committer of items of type `T`. */
export interface GroupCommitter<T> {
  /** Resolves when the flush holding `items` has committed; rejects with its error. */
  submit(items: T[]): Promise<void>;
  /** Resolves when nothing is queued or in flight. */
  idle(): Promise<void>;
}

interface Pending<T> {
  items: T[];
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Creates a group committer.
 * @param flush writes one batch durably (one statement or transaction); throws to fail the batch
 * @param maxBatch most items per flush (a single larger submission still goes out whole)
 */
export function createGroupCommitter<T>(
  flush: (items: T[]) => Promise<void>,
  maxBatch: number,
): GroupCommitter<T> {
  const queue: Pending<T>[] = [];
  let flushing: Promise<void> | undefined;

  async function drain(): Promise<void> {
    while (queue.length > 0) {
      const batch: Pending<T>[] = [];
      let n = 0;
      while (queue.length > 0 && (n === 0 || n + (queue[0]?.items.length ?? 0) <= maxBatch)) {
        const p = queue.shift() as Pending<T>;
        batch.push(p);
        n += p.items.length;
      }
      try {
        await flush(batch.flatMap((p) => p.items));
        for (const p of batch) p.resolve();
      } catch (err) {
        for (const p of batch) p.reject(err);
      }
    }
  }

  function kick(): void {
    if (flushing) return;
    flushing = drain().finally(() => {
      flushing = undefined;
      if (queue.length > 0) kick();
    });
  }

  return {
    submit(items) {
      if (items.length === 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        queue.push({ items, resolve, reject });
        kick();
      });
    },
    async idle() {
      while (flushing) await flushing;
    },
  };
}
