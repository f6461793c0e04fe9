// Time left until the interview's endsAt, as the candidate reads it.

/** `m:ss` under an hour, `h:mm:ss` above; never negative. */
export function formatRemaining(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  const ss = String(seconds).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${ss}` : `${minutes}:${ss}`;
}

/** Whole minutes at which the page says how much time is left, once each. */
export const ANNOUNCE_AT_MINUTES = [5, 1] as const;

/** The announcement due when the remaining time crosses from `beforeMs` to `afterMs`, if any. */
export function crossedMark(beforeMs: number, afterMs: number): number | null {
  for (const minutes of ANNOUNCE_AT_MINUTES) {
    const mark = minutes * 60_000;
    if (beforeMs > mark && afterMs <= mark) return minutes;
  }
  return null;
}

export interface CountdownView {
  update(remainingMs: number, text: string): void;
  announce(minutesLeft: number): void;
}

/** Ticks once a second, aligned to the second boundary so the display never skips a number. */
export class Countdown {
  private timer = 0;
  private endsAtMs = Number.NaN;
  private lastRemaining = Number.POSITIVE_INFINITY;

  constructor(private readonly view: CountdownView) {}

  start(endsAt: string): void {
    this.stop();
    this.endsAtMs = Date.parse(endsAt);
    this.lastRemaining = Number.POSITIVE_INFINITY;
    this.tick();
  }

  stop(): void {
    window.clearTimeout(this.timer);
  }

  get remainingMs(): number {
    return this.endsAtMs - Date.now();
  }

  private readonly tick = (): void => {
    if (Number.isNaN(this.endsAtMs)) return;
    const remaining = this.remainingMs;
    this.view.update(remaining, formatRemaining(remaining));
    const mark = crossedMark(this.lastRemaining, remaining);
    // Only announce marks crossed while watching, not the state found on a rejoin.
    if (mark !== null && Number.isFinite(this.lastRemaining)) this.view.announce(mark);
    this.lastRemaining = remaining;
    const untilNextSecond = ((remaining % 1000) + 1000) % 1000 || 1000;
    this.timer = window.setTimeout(this.tick, Math.min(1000, untilNextSecond + 20));
  };
}
