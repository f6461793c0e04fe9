import type { Status } from '../core/states.js';

/**
 * What the live view reads: a store of rows that tells its subscribers when something changed.
 * The Postgres + LiveKit implementation is an adapter (cli/adapters/watch/postgres-feed.ts); tests pass a fake.
 */

/** true: in the room; false: not in it; null: unknown (LiveKit unreachable, or not asked yet). */
export interface Presence {
  candidate: boolean | null;
  agent: boolean | null;
}

export interface LastEvent {
  seq: number;
  at: Date;
  from: Status | null;
  to: Status;
  actor: string;
  reason: string | null;
}

export interface WatchRow {
  id: string;
  candidate: string;
  status: Status;
  durationMs: number;
  createdAt: Date;
  usedAt: Date | null;
  endedAt: Date | null;
  error: string | null;
  endReason: string | null;
  lastEvent: LastEvent | null;
  presence: Presence;
  /** Bytes of the recording written so far, when the store can tell. */
  recordingBytes: number | null;
}

/** An outbound webhook endpoint with deliveries waiting (or disabled): watch shows these. */
export interface HookBacklog {
  endpoint: string;
  pending: number;
  state: 'ok' | 'failing' | 'disabled';
}

export type DbState = 'connecting' | 'live' | 'reconnecting';
export type LiveKitState = 'unknown' | 'ok' | 'unreachable' | 'off';

export interface WatchSnapshot {
  /** Bumped on every change, so views can tell a new snapshot cheaply. */
  version: number;
  rows: readonly WatchRow[];
  db: DbState;
  livekit: LiveKitState;
  /** A short reason when db is reconnecting, for the status line. */
  dbProblem?: string;
  /** Webhook endpoints with a backlog, when the store reads them. */
  hooks?: readonly HookBacklog[];
}

/** One change as it happened: the NDJSON stream prints these. */
export interface WatchChange {
  /** The event's id; null for a new interview (creating one writes no event). */
  seq: number | null;
  at: Date;
  id: string;
  from: Status | null;
  to: Status;
  actor: string;
  reason: string | null;
  row: WatchRow;
}

export interface TimelineEntry {
  seq: number;
  at: Date;
  from: Status | null;
  to: Status;
  actor: string;
  reason: string | null;
}

export interface TranscriptEntry {
  seq: number;
  speaker: string;
  text: string | null;
  startMs: number | null;
}

export interface WatchFeed {
  snapshot(): WatchSnapshot;
  /** Called after every change of the snapshot; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Called once per change of an interview, in order; returns the unsubscribe function. */
  onChange(listener: (change: WatchChange) => void): () => void;
  timeline(id: string): Promise<TimelineEntry[]>;
  /** Utterances after `after`; null when there is no transcript store at all. */
  transcript(id: string, after: number): Promise<TranscriptEntry[] | null>;
  /** Moves a live interview to ending, as the operator. */
  end(id: string, reason: string): Promise<void>;
}
