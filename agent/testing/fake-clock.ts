import type { Clock } from '../interviewer.js';

/**
 * Virtual time for the interviewer's tests: timers fire in order when everything else is
 * waiting, so an interview of minutes runs in milliseconds and no assertion depends on the
 * machine's speed.
 */
export class FakeClock implements Clock {
  private t = 0;
  private seq = 0;
  private timers: { at: number; id: number; fn: () => void }[] = [];

  now(): number {
    return this.t;
  }

  after(ms: number, fn: () => void): () => void {
    const id = ++this.seq;
    this.timers.push({ at: this.t + Math.max(0, ms), id, fn });
    return () => {
      this.timers = this.timers.filter((x) => x.id !== id);
    };
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const cancel = this.after(ms, resolve);
      signal?.addEventListener('abort', () => (cancel(), resolve()), { once: true });
    });
  }

  /** Runs until `p` settles, advancing to the next timer whenever nothing else can run. */
  async run<T>(p: Promise<T>): Promise<T> {
    let settled = false;
    void p.finally(() => (settled = true)).catch(() => {});
    while (!settled) {
      for (let k = 0; k < 10 && !settled; k++) await new Promise((r) => setImmediate(r));
      if (settled) break;
      this.timers.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.timers.shift();
      if (!next) throw new Error('nothing scheduled and the interview has not finished');
      this.t = next.at;
      next.fn();
    }
    return p;
  }
}
