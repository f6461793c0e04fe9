import type { Sql } from '../db/connect.js';
import type { InterviewRepo } from '../db/interviews.js';
import { createWatchRepo, type EventWithInterview, type WatchedEvent, type WatchedInterview } from '../db/watch.js';
import { createPresencePoller, type PresenceSource } from '../livekit/presence.js';
import { readRecordingSizes } from '../storage/recording-sizes.js';
import { isLive, type Status } from '../../core/states.js';
import type { DbState, HookBacklog, LiveKitState, Presence, WatchChange, WatchFeed, WatchRow, WatchSnapshot } from '../../ui/feed.js';

export type { PresenceSource } from '../livekit/presence.js';

export interface PostgresFeedOptions {
  sql: Sql;
  /**
   * A new one-connection client for LISTEN. Each (re)connect takes a fresh one: postgres.js's own
   * re-listen gives up for good when the server is still down at that moment.
   */
  newListenClient: () => Sql;
  interviews: Pick<InterviewRepo, 'applyEvent'>;
  /** Room presence; leave out to not ask LiveKit at all (the NDJSON stream does not). */
  livekit?: PresenceSource;
  /** The local recordings folder, when recordings are not in a bucket: sizes are read from it. */
  recordingsDir?: string;
  status?: Status;
  presenceIntervalMs?: number;
  healthIntervalMs?: number;
  recentLimit?: number;
  liveLimit?: number;
  /**
   * Wait this long after a notification before fetching, so that more notifications share one
   * query. The TUI draws at most every 100 ms, so it can; the NDJSON stream uses 0.
   */
  coalesceMs?: number;
  /** Participant lists fetched per presence round at most: the poll stays light with many rooms. */
  participantLookupsPerRound?: number;
  /** Outbound webhook endpoints with a backlog, read every `hookIntervalMs` (default 5 s). */
  hookBacklog?: () => Promise<HookBacklog[]>;
  hookIntervalMs?: number;
}

export interface RunningFeed extends WatchFeed {
  stop(): Promise<void>;
}

const CHANNEL = 'interview_changed';
const UNKNOWN: Presence = { candidate: null, agent: null };

function toRow(i: WatchedInterview, last: WatchedEvent | null, prev: WatchRow | undefined): WatchRow {
  return {
    id: i.id,
    candidate: i.candidateName,
    status: i.status,
    durationMs: i.durationMs,
    createdAt: i.createdAt,
    usedAt: i.usedAt,
    endedAt: i.endedAt,
    error: i.error,
    endReason: i.endReason,
    lastEvent: last ? { seq: last.seq, at: last.at, from: last.from, to: last.to, actor: last.actor, reason: last.reason } : (prev?.lastEvent ?? null),
    presence: isLive(i.status) ? (prev?.presence ?? UNKNOWN) : UNKNOWN,
    recordingBytes: prev?.recordingBytes ?? null,
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error(`no answer in ${ms} ms`), { code: 'TIMEOUT' })), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

const describe = (err: unknown) => (err as { code?: string })?.code ?? (err as Error)?.message ?? String(err);

/**
 * The live view's data over Postgres LISTEN/NOTIFY and a light LiveKit poll. A notification names
 * an interview; only that interview's new events are fetched (many notifications that arrive
 * while a fetch runs are served by the next single fetch). A health check every few seconds
 * notices a lost connection or a restarted server, listens again and catches up from the last
 * event seen, so no change is lost across a database restart.
 */
export async function startPostgresFeed(opts: PostgresFeedOptions): Promise<RunningFeed> {
  const repo = createWatchRepo(opts.sql);
  const rows = new Map<string, WatchRow>();
  const recordingKeys = new Map<string, string | null>();
  const listeners = new Set<() => void>();
  const changeListeners = new Set<(c: WatchChange) => void>();
  let version = 0;
  let cached: WatchSnapshot | undefined;
  let db: DbState = 'connecting';
  let dbProblem: string | undefined;
  let livekit: LiveKitState = opts.livekit ? 'unknown' : 'off';
  let cursor = 0;
  let startCursor = 0;
  let stopped = false;
  const timers = new Set<NodeJS.Timeout>();

  const changed = () => {
    version++;
    cached = undefined;
    for (const l of listeners) l();
  };
  const setDb = (state: DbState, problem?: string) => {
    if (db === state && dbProblem === problem) return;
    db = state;
    dbProblem = problem;
    changed();
  };
  const later = (fn: () => void, ms: number) => {
    if (stopped) return;
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };

  // The last event seen of every interview that changed, shown or not (a status filter drops rows
  // that leave it, but their later events must not bring back the ones already reported).
  const seen = new Map<string, number>();
  const apply = (batch: EventWithInterview[]) => {
    for (const { event, interview } of batch) {
      if (event.seq > cursor) cursor = event.seq;
      if ((seen.get(interview.id) ?? 0) >= event.seq) continue;
      seen.set(interview.id, event.seq);
      const prev = rows.get(interview.id);
      const row = toRow(interview, event, prev);
      recordingKeys.set(row.id, interview.recordingKey);
      const wanted = opts.status === undefined || interview.status === opts.status;
      if (wanted) rows.set(row.id, row);
      else rows.delete(row.id);
      if (opts.status === undefined || event.to === opts.status || event.from === opts.status) {
        const change: WatchChange = { seq: event.seq, at: event.at, id: event.interviewId, from: event.from, to: event.to, actor: event.actor, reason: event.reason, row };
        for (const l of changeListeners) l(change);
      }
    }
    if (batch.length > 0) changed();
  };

  // Notifications only name interviews; one fetch at a time serves all that came meanwhile.
  const pending = new Set<string>();
  let draining = false;
  let needCatchUp = false;
  const drain = async () => {
    if (draining || stopped) return;
    draining = true;
    try {
      if (opts.coalesceMs) await new Promise((r) => setTimeout(r, opts.coalesceMs));
      while (pending.size > 0 && !stopped) {
        const ids = [...pending].slice(0, 500);
        for (const id of ids) pending.delete(id);
        const after = ids.map((id) => seen.get(id) ?? rows.get(id)?.lastEvent?.seq ?? startCursor);
        try {
          apply(await repo.changesOf(ids, after));
        } catch (err) {
          // The health check reconnects and catches up by cursor, which covers these ids too.
          needCatchUp = true;
          setDb('reconnecting', describe(err));
          break;
        }
      }
    } finally {
      draining = false;
    }
  };
  const onNotify = (payload: string) => {
    const id = payload.split(' ', 1)[0];
    if (!id) return;
    if (id === '*') return void fetchCreated();
    pending.add(id);
    void drain();
  };

  // New interviews: one notification per insert statement; read the newest rows not seen yet.
  // Creation times come from the creating process's clock, hence the look-back.
  let newestCreated = 0;
  let fetchingCreated: Promise<void> | undefined;
  let createdAgain = false;
  const fetchCreated = async (): Promise<void> => {
    if (fetchingCreated) {
      createdAgain = true;
      return fetchingCreated;
    }
    fetchingCreated = (async () => {
      do {
        createdAgain = false;
        try {
          const fresh = await repo.createdSince(new Date(newestCreated - 10_000));
          let added = false;
          for (const i of fresh) {
            newestCreated = Math.max(newestCreated, i.createdAt.getTime());
            if (rows.has(i.id) || (opts.status !== undefined && i.status !== opts.status)) continue;
            const row = toRow(i, null, undefined);
            rows.set(i.id, row);
            recordingKeys.set(i.id, i.recordingKey);
            added = true;
            if (i.status === 'created') {
              const change: WatchChange = { seq: null, at: i.createdAt, id: i.id, from: null, to: 'created', actor: 'create', reason: null, row };
              for (const l of changeListeners) l(change);
            }
          }
          if (added) changed();
        } catch (err) {
          setDb('reconnecting', describe(err));
        }
      } while (createdAgain && !stopped);
    })().finally(() => {
      fetchingCreated = undefined;
    });
    return fetchingCreated;
  };

  let generation = 0;
  let listenPid: number | undefined;
  let listenClient: Sql | undefined;
  const closeListener = async () => {
    const client = listenClient;
    listenClient = undefined;
    await client?.end({ timeout: 0 }).catch(() => {});
  };
  const listen = async () => {
    const gen = ++generation;
    await closeListener();
    const client = (listenClient = opts.newListenClient());
    const meta = await withTimeout(
      client.listen(CHANNEL, (payload) => {
        if (gen === generation) onNotify(payload);
      }),
      5000,
    );
    listenPid = (meta.state as { pid?: number } | undefined)?.pid;
  };

  const catchUp = async () => {
    for (let page = 0; page < 40 && !stopped; page++) {
      const batch = await repo.changesSince(cursor, 5000);
      apply(batch);
      if (batch.length < 5000) break;
    }
  };

  // Start: listen first, then read, so nothing committed in between is missed.
  let serverStartedAt: string;
  try {
    await listen();
    const first = await repo.initial({ status: opts.status, recentLimit: opts.recentLimit ?? 500, liveLimit: opts.liveLimit ?? 5000 });
    startCursor = cursor = first.cursor;
    for (const r of first.rows) {
      rows.set(r.interview.id, toRow(r.interview, r.last, undefined));
      recordingKeys.set(r.interview.id, r.interview.recordingKey);
      newestCreated = Math.max(newestCreated, r.interview.createdAt.getTime());
    }
    if (newestCreated === 0) newestCreated = Date.now();
    serverStartedAt = (await repo.serverState(listenPid)).startedAt;
  } catch (err) {
    await closeListener();
    throw err;
  }
  db = 'live';
  changed();

  const health = async () => {
    try {
      const state = await withTimeout(repo.serverState(listenPid), 5000);
      if (db !== 'live' || needCatchUp || state.startedAt !== serverStartedAt || !state.listening) {
        await listen();
        serverStartedAt = state.startedAt;
        needCatchUp = false;
        await catchUp();
        await fetchCreated();
        setDb('live');
        void drain();
      }
    } catch (err) {
      setDb('reconnecting', describe(err));
    }
    later(health, db === 'live' ? (opts.healthIntervalMs ?? 2000) : Math.min(opts.healthIntervalMs ?? 2000, 1000));
  };
  later(health, opts.healthIntervalMs ?? 2000);

  // Presence and recording sizes: a light poll every few seconds, beside the notifications.
  const poller = opts.livekit ? createPresencePoller(opts.livekit, { lookupsPerRound: opts.participantLookupsPerRound }) : undefined;
  const patchRow = (id: string, patch: Partial<WatchRow>) => {
    const row = rows.get(id);
    if (!row) return false;
    const same = (Object.keys(patch) as (keyof WatchRow)[]).every((k) =>
      k === 'presence' ? row.presence.candidate === patch.presence!.candidate && row.presence.agent === patch.presence!.agent : row[k] === patch[k],
    );
    if (!same) rows.set(id, { ...row, ...patch });
    return !same;
  };
  const sidePoll = async () => {
    let dirty = false;
    if (poller) {
      const round = await poller.round([...rows.values()].filter((r) => isLive(r.status)));
      if (stopped) return;
      for (const [id, presence] of round.presence) dirty = patchRow(id, { presence }) || dirty;
      const state: LiveKitState = round.reachable ? 'ok' : 'unreachable';
      if (round.presence.size > 0 || !round.reachable) {
        dirty = dirty || livekit !== state;
        livekit = state;
      }
    }
    if (opts.recordingsDir) {
      const wanted = [...rows.values()]
        .filter((r) => recordingKeys.get(r.id) && (isLive(r.status) || r.recordingBytes === null))
        .slice(0, 100)
        .map((r) => ({ id: r.id, key: recordingKeys.get(r.id)! }));
      const sizes = await readRecordingSizes(opts.recordingsDir, wanted).catch(() => new Map<string, number | null>());
      for (const [id, recordingBytes] of sizes) dirty = patchRow(id, { recordingBytes }) || dirty;
    }
    if (dirty) changed();
    later(() => void sidePoll(), opts.presenceIntervalMs ?? 3000);
  };
  if (poller || opts.recordingsDir) later(() => void sidePoll(), 0);

  // Webhook backlog: a small query every few seconds, a change of the snapshot only when it differs.
  let hooks: HookBacklog[] = [];
  const hookPoll = async () => {
    const next = await opts.hookBacklog!().catch(() => hooks);
    if (stopped) return;
    if (JSON.stringify(next) !== JSON.stringify(hooks)) {
      hooks = next;
      changed();
    }
    later(() => void hookPoll(), opts.hookIntervalMs ?? 5000);
  };
  if (opts.hookBacklog) later(() => void hookPoll(), 0);

  let hasTranscripts: boolean | undefined;
  let transcriptsCheckedAt = 0;

  return {
    snapshot() {
      cached ??= { version, rows: [...rows.values()], db, livekit, dbProblem, hooks };
      return cached;
    },
    subscribe(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    onChange(l) {
      changeListeners.add(l);
      return () => changeListeners.delete(l);
    },
    async timeline(id) {
      return repo.timeline(id);
    },
    async transcript(id, after) {
      if (!hasTranscripts && Date.now() - transcriptsCheckedAt > 10_000) {
        transcriptsCheckedAt = Date.now();
        hasTranscripts = await repo.hasTranscripts();
      }
      if (!hasTranscripts) return null;
      return repo.transcript(id, after);
    },
    async end(id, reason) {
      await opts.interviews.applyEvent(id, 'end', { actor: 'operator', reason, patch: { end_reason: 'operator_ended' } });
    },
    async stop() {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      generation++;
      await closeListener();
    },
  };
}
