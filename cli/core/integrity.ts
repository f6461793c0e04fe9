/**
 * Integrity notes: the candidate page reports when its tab was hidden or its window lost focus
 * during the interview. They are shown to a person at their times, never scored, never a verdict.
 */

export const INTEGRITY_KINDS = ['tab_hidden', 'window_blur'] as const;
export type IntegrityKind = (typeof INTEGRITY_KINDS)[number];

export interface IntegrityNote {
  kind: IntegrityKind;
  startedAt: Date;
  endedAt: Date;
}

export const INTEGRITY_LABELS: Record<IntegrityKind, string> = {
  tab_hidden: 'interview tab hidden',
  window_blur: 'window not focused',
};

/** At most this many spans in one report from the page. */
export const MAX_NOTES_PER_REPORT = 50;

/**
 * Reads the page's report `{notes: [{kind, startedAt, endedAt}], sentAt}` (times in the page's
 * clock, ms since the epoch) into spans on the server's clock: the page's clock may be off, so
 * each time is shifted by (server now − the page's sentAt). Spans that end before they start,
 * lie in the future, or last longer than `maxSpanMs` are refused. Returns the spans, or a problem.
 */
export function readIntegrityReport(body: Record<string, unknown>, serverNow: number, maxSpanMs: number): { notes: IntegrityNote[] } | { problem: string } {
  const { notes, sentAt } = body;
  if (typeof sentAt !== 'number' || !Number.isFinite(sentAt)) return { problem: 'sentAt: required, ms since the epoch' };
  if (!Array.isArray(notes) || notes.length === 0 || notes.length > MAX_NOTES_PER_REPORT) return { problem: `notes: 1 to ${MAX_NOTES_PER_REPORT} spans` };
  const skew = serverNow - sentAt;
  const out: IntegrityNote[] = [];
  for (const [i, n] of notes.entries()) {
    const { kind, startedAt, endedAt } = (n ?? {}) as Record<string, unknown>;
    if (typeof kind !== 'string' || !(INTEGRITY_KINDS as readonly string[]).includes(kind)) return { problem: `notes[${i}].kind: one of ${INTEGRITY_KINDS.join(', ')}` };
    if (typeof startedAt !== 'number' || typeof endedAt !== 'number' || !Number.isFinite(startedAt) || !Number.isFinite(endedAt)) {
      return { problem: `notes[${i}]: startedAt and endedAt in ms since the epoch` };
    }
    if (endedAt < startedAt || endedAt - startedAt > maxSpanMs || endedAt > sentAt + 1000) return { problem: `notes[${i}]: not a span that can have happened` };
    out.push({ kind: kind as IntegrityKind, startedAt: new Date(startedAt + skew), endedAt: new Date(endedAt + skew) });
  }
  return { notes: out };
}
