export interface JoinBatcherOptions<Req, Out> {
  /** Runs one batch; calls `settle(i, out)` once per request. Throws when the batch as a whole failed. */
  run: (batch: Req[], settle: (index: number, out: Out) => void) => Promise<void>;
  /** Batches at once (each holds a database connection while it dispatches). */
  slots: number;
  /** Requests in one batch at most. */
  maxBatch: number;
}

interface Waiting<Req, Out> {
  req: Req;
  done: boolean;
  resolve: (out: Out) => void;
  reject: (err: unknown) => void;
}

/**
 * Group commit for joins. Up to `slots` batches run at once; joins that arrive while all of them
 * are busy wait, and the next free slot takes them together (up to `maxBatch`). At rest a join
 * goes alone and at once; under load many share one transaction. Each join settles as soon as its
 * own outcome is known, not when its batch ends.
 */
export function createJoinBatcher<Req, Out>(o: JoinBatcherOptions<Req, Out>) {
  const queue: Waiting<Req, Out>[] = [];
  let running = 0;

  async function run(batch: Waiting<Req, Out>[]): Promise<void> {
    try {
      await o.run(
        batch.map((w) => w.req),
        (i, out) => {
          const w = batch[i]!;
          if (w.done) return;
          w.done = true;
          w.resolve(out);
        },
      );
      for (const w of batch) if (!w.done) w.reject(new Error('a join batch ended without an outcome for one of its joins'));
    } catch (err) {
      for (const w of batch) if (!w.done) w.reject(err);
    }
  }

  function pump(): void {
    while (running < o.slots && queue.length > 0) {
      running++;
      void run(queue.splice(0, o.maxBatch)).finally(() => {
        running--;
        pump();
      });
    }
  }

  return {
    /** Queues one request; resolves with its outcome. */
    submit(req: Req): Promise<Out> {
      return new Promise((resolve, reject) => {
        queue.push({ req, done: false, resolve, reject });
        pump();
      });
    },
  };
}
