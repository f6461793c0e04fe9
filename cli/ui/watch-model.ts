import stringWidth from 'string-width';
import { formatClock, formatDuration } from '../core/duration.js';
import { shortId } from '../core/interview.js';
import { isLive, type Status } from '../core/states.js';
import type { LastEvent, WatchRow } from './feed.js';

/** Pure helpers of the live view: which rows, in which order, and what each cell says. */

export const SORT_KEYS = ['activity', 'status', 'remaining', 'candidate', 'created'] as const;
export type SortKey = (typeof SORT_KEYS)[number];

export const SORT_LABELS: Record<SortKey, string> = {
  activity: 'latest change',
  status: 'status',
  remaining: 'time left',
  candidate: 'candidate',
  created: 'newest',
};

export function nextSort(key: SortKey): SortKey {
  return SORT_KEYS[(SORT_KEYS.indexOf(key) + 1) % SORT_KEYS.length]!;
}

const STATUS_ORDER: Record<Status, number> = { recording: 0, used: 1, ending: 2, created: 3, failed: 4, completed: 5, expired: 6, revoked: 7 };

const activityOf = (r: WatchRow) => (r.lastEvent?.at ?? r.createdAt).getTime();

/** When a live interview must end, in ms since the epoch; Infinity when it has not started. */
export function endsAtMs(r: Pick<WatchRow, 'usedAt' | 'durationMs'>): number {
  return r.usedAt ? r.usedAt.getTime() + r.durationMs : Number.POSITIVE_INFINITY;
}

/**
 * A completed interview that waits for a person's decision: its newest event is not a review
 * (`interviewctl review`). A rerun of the evaluation after a review asks for a look again.
 */
export function waitsForReview(r: Pick<WatchRow, 'status' | 'lastEvent'>): boolean {
  return r.status === 'completed' && !(r.lastEvent?.actor.startsWith('reviewer:') ?? false);
}

/** A case-insensitive match on short id, full id prefix, candidate or status ("review": waiting for a person). */
export function matchesFilter(r: WatchRow, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (f === '') return true;
  return r.id.toLowerCase().startsWith(f) || r.candidate.toLowerCase().includes(f) || r.status === f || (f === 'review' && waitsForReview(r));
}

export function sortRows(rows: readonly WatchRow[], key: SortKey): WatchRow[] {
  const out = [...rows];
  const byId = (a: WatchRow, b: WatchRow) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  switch (key) {
    case 'activity':
      return out.sort((a, b) => activityOf(b) - activityOf(a) || byId(a, b));
    case 'status':
      return out.sort((a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || activityOf(b) - activityOf(a) || byId(a, b));
    case 'remaining':
      return out.sort((a, b) => {
        const la = isLive(a.status) ? endsAtMs(a) : Number.POSITIVE_INFINITY;
        const lb = isLive(b.status) ? endsAtMs(b) : Number.POSITIVE_INFINITY;
        return la === lb ? activityOf(b) - activityOf(a) || byId(a, b) : la < lb ? -1 : 1;
      });
    case 'candidate':
      return out.sort((a, b) => a.candidate.localeCompare(b.candidate) || byId(a, b));
    case 'created':
      return out.sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || byId(a, b));
  }
}

export function visibleRows(rows: readonly WatchRow[], filter: string, sort: SortKey): WatchRow[] {
  return sortRows(filter.trim() === '' ? rows : rows.filter((r) => matchesFilter(r, filter)), sort);
}

/** Elapsed since the first join: running for live ones, frozen at the end for finished ones. */
export function elapsedText(r: WatchRow, now: number): string {
  if (!r.usedAt) return '-';
  const until = isLive(r.status) ? now : (r.endedAt?.getTime() ?? now);
  return formatClock(Math.max(0, until - r.usedAt.getTime()));
}

/** Time left for live interviews; negative (overtime) when past the duration. */
export function remainingText(r: WatchRow, now: number): string {
  if (!r.usedAt || !isLive(r.status)) return '-';
  return formatClock(endsAtMs(r) - now);
}

export function isOvertime(r: WatchRow, now: number): boolean {
  return isLive(r.status) && r.usedAt !== null && endsAtMs(r) < now;
}

export function presenceText(value: boolean | null, status: Status): string {
  if (!isLive(status)) return '';
  return value === null ? '?' : value ? 'yes' : 'no';
}

export function bytesText(n: number | null): string {
  if (n === null) return '';
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function agoText(at: Date, now: number): string {
  const ms = now - at.getTime();
  if (ms < 1000) return 'now';
  return `${formatDuration(Math.floor(ms / 1000) * 1000).replace(/(\d+[dhm])\d+s$/, '$1').replace(/(\d+d)\d+h$/, '$1')} ago`;
}

/** "used → recording" for a change, the note's reason for a note (from = to). */
export function eventText(e: Pick<LastEvent, 'from' | 'to' | 'reason' | 'actor'>): string {
  if (e.from !== null && e.from === e.to) return e.reason ?? `note by ${e.actor}`;
  // ASCII on purpose: a frame of plain ASCII is measured on the terminal library's fast path.
  return `${e.from ?? '-'} -> ${e.to}${e.reason ? ` (${e.reason})` : ''}`;
}

export function lastEventText(r: WatchRow, now: number): string {
  if (!r.lastEvent) return `${agoText(r.createdAt, now)} created`;
  return `${agoText(r.lastEvent.at, now)} ${eventText(r.lastEvent)}`;
}

const segmenter = new Intl.Segmenter();
// eslint-disable-next-line no-control-regex
const ASCII = /^[\x20-\x7e]*$/;

/**
 * Terminal columns a string takes (string-width: wide CJK and emoji count two, combining marks
 * such as the accent of a decomposed "é" none). Printable ASCII, most of a frame, is its length.
 */
export function displayWidth(s: string): number {
  return ASCII.test(s) ? s.length : stringWidth(s);
}

/** Cuts a string to at most `width` columns (with … when cut) and pads it to exactly `width`. */
export function fit(s: string, width: number): string {
  if (width <= 0) return '';
  let w = displayWidth(s);
  if (w <= width) return s + ' '.repeat(width - w);
  let out = '';
  w = 0;
  // Whole graphemes: an accent stays with its letter, a flag is not cut in half.
  for (const { segment } of segmenter.segment(s)) {
    const cw = displayWidth(segment);
    if (w + cw > width - 1) break;
    out += segment;
    w += cw;
  }
  return out + '…' + ' '.repeat(Math.max(0, width - 1 - w));
}

export interface Column {
  key: 'id' | 'candidate' | 'status' | 'elapsed' | 'remaining' | 'cand' | 'agent' | 'rec' | 'last';
  title: string;
  width: number;
}

/** Column widths for a terminal `width` wide; the last-event column takes what is left. */
export function layoutColumns(width: number): Column[] {
  const fixed: Column[] = [
    { key: 'id', title: 'ID', width: 8 },
    { key: 'candidate', title: 'CANDIDATE', width: width >= 120 ? 22 : 16 },
    { key: 'status', title: 'STATUS', width: 9 },
    { key: 'elapsed', title: 'ELAPSED', width: 7 },
    { key: 'remaining', title: 'LEFT', width: 7 },
    { key: 'cand', title: 'CAND', width: 4 },
    { key: 'agent', title: 'AGENT', width: 5 },
    { key: 'rec', title: 'REC', width: 8 },
  ];
  const used = fixed.reduce((n, c) => n + c.width + 1, 0);
  return [...fixed, { key: 'last', title: 'LAST EVENT', width: Math.max(10, width - used - 1) }];
}

export function cellsOf(r: WatchRow, now: number): Record<Column['key'], string> {
  return {
    id: shortId(r.id),
    candidate: r.candidate,
    status: waitsForReview(r) ? 'to review' : r.status,
    elapsed: elapsedText(r, now),
    remaining: remainingText(r, now),
    cand: presenceText(r.presence.candidate, r.status),
    agent: presenceText(r.presence.agent, r.status),
    rec: bytesText(r.recordingBytes),
    last: lastEventText(r, now),
  };
}

/** Which slice of `count` rows to show in `height` lines so that `selected` stays in view. */
export function scrollWindow(count: number, height: number, selected: number, previousTop: number): number {
  if (count <= height) return 0;
  let top = Math.min(Math.max(previousTop, 0), count - height);
  if (selected < top) top = selected;
  if (selected >= top + height) top = selected - height + 1;
  return Math.max(0, top);
}
