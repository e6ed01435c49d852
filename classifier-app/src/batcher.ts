/**
 * Group commit, apart from any database: calls that arrive while a write is on its way wait, and
 * then go together in the next write. The store (store.ts) batches its INSERTs with it.
 */

/** Options of {@link batcher}. */
export interface BatcherOptions {
  /** At most this many items per write; 1 turns the batches off: each item is written at once, alone. */
  maxBatch: number;
  /** At most this many items waiting: past that, a call fails at once (statusCode 503), not a growing queue. */
  maxWaiting: number;
  /** What the items are, for that error's message ("predictions"). */
  items: string;
  /**
   * Whether an error fails the whole batch (the database is away): then every caller of the batch
   * gets it. Otherwise one item may be at fault, and each item is written again, alone.
   */
  failsAll: (err: unknown) => boolean;
}

// #region batches
/**
 * Writes items in batches. While one write is on its way, the items that arrive meanwhile wait,
 * and then go together in the next one: for a database, one statement, one transaction, one
 * commit, so one flush of the write-ahead log to disk, for all of them (group commit). Under load,
 * that is dozens of items per write instead of one; an item that comes alone waits for nobody.
 * `write` gives back one result per item, in the batch's order; each caller still gets its own
 * result, or the error, once the write is done.
 */
export function batcher<T, R>(write: (batch: T[]) => Promise<R[]>, options: BatcherOptions): (item: T) => Promise<R> {
  interface Waiting {
    item: T;
    resolve: (result: R) => void;
    reject: (err: unknown) => void;
  }
  const { maxBatch, maxWaiting } = options;
  let waiting: Waiting[] = [];
  let writing = false;

  async function writeBatch(batch: Waiting[]): Promise<void> {
    const results = await write(batch.map((w) => w.item));
    batch.forEach((w, i) => w.resolve(results[i]!));
  }

  async function writeWhileWaiting(): Promise<void> {
    writing = true;
    while (waiting.length > 0) {
      const batch = waiting.slice(0, maxBatch);
      waiting = waiting.slice(maxBatch);
      try {
        await writeBatch(batch);
      } catch (err) {
        if (batch.length === 1 || options.failsAll(err)) {
          for (const w of batch) w.reject(err);
          continue;
        }
        // One item the database refused must not fail the others: each goes again, alone, and
        // only the item at fault gets the error.
        for (const w of batch) await writeBatch([w]).catch(w.reject);
      }
    }
    writing = false;
  }

  return (item) =>
    new Promise((resolve, reject) => {
      if (waiting.length >= maxWaiting) {
        reject(
          Object.assign(new Error(`${maxWaiting} ${options.items} are waiting to be stored; try again shortly`), {
            statusCode: 503,
          }),
        );
        return;
      }
      // Without batches (maxBatch 1, for the bench), each its own write, at once.
      if (maxBatch === 1) return void writeBatch([{ item, resolve, reject }]).catch(reject);
      waiting.push({ item, resolve, reject });
      if (!writing) void writeWhileWaiting();
    });
}
// #endregion
