import type { TimelineEntry, TranscriptEntry, WatchChange, WatchFeed, WatchRow, WatchSnapshot } from '../feed.js';

/** A row with sensible defaults: a recording interview that started five minutes before `now`. */
export function makeRow(overrides: Partial<WatchRow> = {}, now = Date.now()): WatchRow {
  const usedAt = new Date(now - 5 * 60_000);
  return {
    id: 'AAAAaaaa0000000000000a',
    candidate: 'Ada Lovelace',
    status: 'recording',
    durationMs: 20 * 60_000,
    createdAt: new Date(now - 3_600_000),
    usedAt,
    endedAt: null,
    error: null,
    endReason: null,
    lastEvent: { seq: 1, at: new Date(now - 60_000), from: 'used', to: 'recording', actor: 'agent', reason: null },
    presence: { candidate: true, agent: true },
    recordingBytes: null,
    ...overrides,
  };
}

export interface FakeFeed extends WatchFeed {
  /** Replaces part of the snapshot and tells subscribers, as a real change would. */
  push(patch: Partial<Omit<WatchSnapshot, 'version'>>): void;
  ended: { id: string; reason: string }[];
  subscribers(): number;
  timelines: Map<string, TimelineEntry[]>;
  transcripts: Map<string, TranscriptEntry[]>;
}

/** An in-memory feed for view tests: no database, no timers of its own. */
export function fakeFeed(rows: WatchRow[], options: { transcripts?: boolean } = {}): FakeFeed {
  let snap: WatchSnapshot = { version: 0, rows, db: 'live', livekit: 'ok' };
  const listeners = new Set<() => void>();
  const changeListeners = new Set<(c: WatchChange) => void>();
  const feed: FakeFeed = {
    ended: [],
    timelines: new Map(),
    transcripts: new Map(),
    snapshot: () => snap,
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onChange(l) {
      changeListeners.add(l);
      return () => changeListeners.delete(l);
    },
    subscribers: () => listeners.size,
    push(patch) {
      snap = { ...snap, ...patch, version: snap.version + 1 };
      for (const l of listeners) l();
    },
    async timeline(id) {
      return feed.timelines.get(id) ?? [];
    },
    async transcript(id, after) {
      if (options.transcripts === false) return null;
      return (feed.transcripts.get(id) ?? []).filter((t) => t.seq > after);
    },
    async end(id, reason) {
      feed.ended.push({ id, reason });
    },
  };
  return feed;
}
