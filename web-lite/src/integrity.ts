// Integrity notes for a person reading the report: when the interview tab was hidden or the
// window lost focus, from when to when. Never scored, and nothing is shown to the candidate
// about it beyond the disclosure. Spans are sent when they end (and at the end of the session).
import { type IntegritySpan, reportIntegrity } from './api';

/** Shorter blips (a notification, a click on the browser's own UI) are not worth a note. */
const MIN_SPAN_MS = 1_000;
const RETRY_MS = 5_000;

export class IntegrityWatcher {
  private hiddenSince: number | null = null;
  private blurredSince: number | null = null;
  private queue: IntegritySpan[] = [];
  private running = false;
  private sending = false;
  private retryTimer = 0;
  private readonly onVisibility = () => (document.visibilityState === 'hidden' ? this.open('tab_hidden') : this.close('tab_hidden'));
  private readonly onBlur = () => this.open('window_blur');
  private readonly onFocus = () => this.close('window_blur');

  constructor(
    private readonly interviewId: string,
    private readonly getResumeKey: () => string | null,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    document.addEventListener('visibilitychange', this.onVisibility);
    window.addEventListener('blur', this.onBlur);
    window.addEventListener('focus', this.onFocus);
    if (document.visibilityState === 'hidden') this.open('tab_hidden');
    else if (!document.hasFocus()) this.open('window_blur');
  }

  /** Closes open spans, sends what is left and stops listening. */
  stop(): void {
    if (!this.running) return;
    this.running = false;
    document.removeEventListener('visibilitychange', this.onVisibility);
    window.removeEventListener('blur', this.onBlur);
    window.removeEventListener('focus', this.onFocus);
    this.close('tab_hidden');
    this.close('window_blur');
    window.clearTimeout(this.retryTimer);
    void this.flush();
  }

  private open(kind: IntegritySpan['kind']): void {
    const now = Date.now();
    if (kind === 'tab_hidden') this.hiddenSince ??= now;
    else this.blurredSince ??= now;
  }

  private close(kind: IntegritySpan['kind']): void {
    const since = kind === 'tab_hidden' ? this.hiddenSince : this.blurredSince;
    if (kind === 'tab_hidden') this.hiddenSince = null;
    else this.blurredSince = null;
    if (since === null) return;
    const now = Date.now();
    if (now - since >= MIN_SPAN_MS) {
      this.queue.push({ kind, startedAt: since, endedAt: now });
      void this.flush();
    }
  }

  private async flush(): Promise<void> {
    const key = this.getResumeKey();
    if (this.sending || this.queue.length === 0 || !key) return;
    this.sending = true;
    const batch = this.queue.splice(0, 50);
    try {
      await reportIntegrity(this.interviewId, key, batch);
    } catch {
      // Offline or the server is busy: keep them for the next try.
      this.queue.unshift(...batch);
      if (this.running) this.retryTimer = window.setTimeout(() => void this.flush(), RETRY_MS);
    } finally {
      this.sending = false;
    }
    if (this.queue.length > 0 && this.running) void this.flush();
  }
}
