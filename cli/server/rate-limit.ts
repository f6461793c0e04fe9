/**
 * A fixed-window counter per key: at most `limit` hits per `windowMs`. Memory stays bounded by
 * dropping windows that have passed.
 */
export function createRateLimiter(limit: number, windowMs: number, now: () => number = Date.now) {
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = now();
  return {
    /** Counts a hit; returns the seconds to wait when over the limit, else 0. */
    hit(key: string): number {
      if (limit <= 0) return 0;
      const t = now();
      if (t - lastSweep > windowMs) {
        for (const [k, w] of windows) if (t - w.start >= windowMs) windows.delete(k);
        lastSweep = t;
      }
      let w = windows.get(key);
      if (!w || t - w.start >= windowMs) {
        w = { start: t, count: 0 };
        windows.set(key, w);
      }
      w.count++;
      return w.count > limit ? Math.ceil((w.start + windowMs - t) / 1000) : 0;
    },
  };
}
