/**
 * How often the live view may draw. A frame costs CPU in proportion to the terminal's size, and at
 * fifty changes a second drawing each one would take most of a core. The budget measures what the
 * whole process really uses and stretches the time between frames while it is above its share of
 * one core, shrinking it again (down to `minIntervalMs`, so a lone change shows at once) when
 * there is room. CPU time, not wall time: on a busy machine a frame takes longer to finish without
 * costing more.
 */
export interface FrameBudget {
  /** The least time between two frames now, in ms. */
  intervalMs(): number;
}

export interface FrameBudgetOptions {
  minIntervalMs?: number;
  maxIntervalMs?: number;
  /** Share of one core the process should stay under, 0..1. */
  cpuShare?: number;
  /** How often the measurement is renewed, in ms. */
  windowMs?: number;
  /** CPU time the process has used so far, in ms (default: process.cpuUsage). */
  cpuMs?: () => number;
  /** A monotonic clock in ms (default: performance.now). */
  clockMs?: () => number;
}

export function createFrameBudget(options: FrameBudgetOptions = {}): FrameBudget {
  const min = options.minIntervalMs ?? 100;
  const max = options.maxIntervalMs ?? 1000;
  const share = options.cpuShare ?? 0.08;
  const windowMs = options.windowMs ?? 1000;
  const cpuMs =
    options.cpuMs ??
    (() => {
      const u = process.cpuUsage();
      return (u.user + u.system) / 1000;
    });
  const clockMs = options.clockMs ?? (() => performance.now());
  let interval = min;
  let since = clockMs();
  let cpuAtStart = cpuMs();
  return {
    intervalMs() {
      const now = clockMs();
      if (now - since >= windowMs) {
        const used = (cpuMs() - cpuAtStart) / (now - since);
        if (used > share) interval = Math.min(max, interval * Math.min(2, used / share));
        else if (used < share * 0.7) interval = Math.max(min, interval * 0.8);
        since = now;
        cpuAtStart = cpuMs();
      }
      return Math.round(interval);
    },
  };
}
