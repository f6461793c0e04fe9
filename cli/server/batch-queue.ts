export interface BatchQueueOptions<Req, Out> {
  /**
   * Runs one batch; calls `settle(i, out)` once per request, or `fail(i, err)` for one that failed
   * on its own. Throws when the batch as a whole failed.
   */
  run: (batch: Req[], settle: (index: number, out: Out) => void, fail: (index: number, err: unknown) => void) => Promise<void>;
  /** Batches at once (each holds a database connection while it runs). */
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
 * Group commit, for joins and webhook deliveries. Up to `slots` batches run at once; requests that
 * arrive while all of them are busy wait, and the next free slot takes them together (up to
 * `maxBatch`, in arrival order). At rest a request goes alone and at once; under load many share
 * one transaction. Each request settles as soon as its own outcome is known, not when its batch ends.
 */
export function createBatchQueue<Req, Out>(o: BatchQueueOptions<Req, Out>) {
  const queue: Waiting<Req, Out>[] = [];
  let running = 0;

  async function run(batch: Waiting<Req, Out>[]): Promise<void> {
    const once = (i: number, finish: (w: Waiting<Req, Out>) => void) => {
      const w = batch[i]!;
      if (w.done) return;
      w.done = true;
      finish(w);
    };
    try {
      await o.run(
        batch.map((w) => w.req),
        (i, out) => once(i, (w) => w.resolve(out)),
        (i, err) => once(i, (w) => w.reject(err)),
      );
      for (const w of batch) if (!w.done) w.reject(new Error('a batch ended without an outcome for one of its requests'));
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
