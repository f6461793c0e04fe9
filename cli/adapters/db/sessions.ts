import type { Interview } from '../../core/interview.js';
import { allowedFrom } from '../../core/states.js';
import type { Sql } from './connect.js';

/** One join asking for an interview: its id and the hash of the resume key it would get. */
export interface JoinRequest {
  id: string;
  resumeKeyHash: string;
  /**
   * Asked once, just before a won claim is written: false when the request has been given up
   * (its client left, or its time ran out), and then it is left out, its row still `created` for
   * the candidate's retry. From true on, the request must wait for its outcome.
   */
  commit?: () => boolean;
  /** The consent given with it, stored with the claim (a resumed join's was stored before). */
  consent?: { version: string; lang: string; userAgent: string | null };
}

export type JoinClaim =
  /** This join won: `created → used`, the agent dispatched, its id stored; committed. */
  | { outcome: 'claimed'; interview: Interview }
  /** This join won the row but the dispatch failed: nothing changed, the link is still usable. */
  | { outcome: 'dispatch_failed'; error: unknown }
  /** This join won the row but had been given up by the time of the write: nothing changed. */
  | { outcome: 'abandoned' }
  /**
   * Not for this join to claim: the row as read. `busy`: another join holds it right now (or
   * one earlier in the same batch took it); `expired`: still `created` but past its expiry.
   */
  | { outcome: 'seen'; interview: Interview; busy: boolean; expired: boolean }
  | { outcome: 'not_found' };

/** The live-session side of interviews: the one-time claim and candidate presence. */
export function createSessionRepo(sql: Sql) {
  return {
    /**
     * The first join wins, for a batch of joins in one transaction (group commit: one BEGIN, one
     * COMMIT, one WAL flush and four round-trips for the whole batch, however many joins are in it).
     *
     * 1. One SELECT: every requested row, and a row lock (NO KEY UPDATE, so a
     *    webhook that only references the row does not count; SKIP LOCKED, so a row another join
     *    holds is reported at once as busy rather than waited for) on those still `created` and
     *    unexpired. Each id is claimed by the first join for it in the batch; the others for the
     *    same id are busy. Joins that claim nothing are settled here and do not wait.
     * 2. `start(id)` (room + agent dispatch) for every claimant at once, while the locks are held.
     * 3. One UPDATE `created → used` (resume key hash, dispatch id) with its event rows, then COMMIT.
     *    A claimant whose dispatch failed, or whose request was given up meanwhile (`commit()`
     *    false), is left out: its row stays `created`.
     *
     * (sql.begin, not a reserved connection with BEGIN pipelined: when a reserved connection dies
     * mid-transaction, postgres.js 3.4 writes the next statement to a closed socket, throws outside
     * any promise and leaves the pool hanging; begin rejects cleanly.)
     *
     * `settle(i, claim)` is called once per request, as soon as its outcome is known. Throws (after
     * a rollback) when the database fails; requests not settled by then have no outcome.
     */
    async claimForJoins(
      requests: JoinRequest[],
      start: (id: string) => Promise<string>,
      settle: (index: number, claim: JoinClaim) => void,
    ): Promise<void> {
      const from = allowedFrom('join') as string[];
      const ids = [...new Set(requests.map((r) => r.id))];
      let winners: (readonly [number, Interview])[] = [];
      // Answered once the transaction is over, when the row lock is gone: a candidate who tries
      // again at once must find the link free, not held.
      const failed: [number, unknown][] = [];
      try {
        await sql.begin(async (tx) => {
          const t = tx as unknown as Sql;
          const rows = await t<(Interview & { claimable: boolean; pastExpiry: boolean })[]>`
            with locked as (
              select id from interviews where id = any(${ids}) and status = any(${from}) and expires_at > now()
              for no key update skip locked
            )
            select i.*, exists (select 1 from locked where locked.id = i.id) as claimable, i.expires_at <= now() as past_expiry
            from interviews i where i.id = any(${ids})`;
          const byId = new Map(rows.map((r) => [r.id, r]));
          const claimants: number[] = [];
          const taken = new Set<string>();
          requests.forEach((req, i) => {
            const row = byId.get(req.id);
            if (!row) return settle(i, { outcome: 'not_found' });
            if (row.claimable && !taken.has(req.id)) {
              taken.add(req.id);
              claimants.push(i);
              return;
            }
            const { claimable: _, pastExpiry, ...interview } = row;
            const waiting = from.includes(row.status);
            settle(i, { outcome: 'seen', interview, busy: waiting && !pastExpiry, expired: waiting && pastExpiry });
          });
          const started = await Promise.allSettled(claimants.map((i) => start(requests[i]!.id)));
          const won: number[] = [];
          const dispatchIds: string[] = [];
          started.forEach((s, k) => {
            const i = claimants[k]!;
            if (s.status === 'rejected') return failed.push([i, s.reason]);
            if (requests[i]!.commit?.() === false) return settle(i, { outcome: 'abandoned' });
            won.push(i);
            dispatchIds.push(s.value);
          });
          if (won.length === 0) return;
          const moved = await t<Interview[]>`
            with v as (
              select * from unnest(${won.map((i) => requests[i]!.id)}::text[], ${won.map((i) => requests[i]!.resumeKeyHash)}::text[], ${dispatchIds}::text[])
                as v(id, resume_key_hash, dispatch_id)
            ), moved as (
              update interviews set status = 'used', used_at = now(), updated_at = now(),
                resume_key_hash = v.resume_key_hash, dispatch_id = v.dispatch_id
              from v where interviews.id = v.id and interviews.status = any(${from})
              returning interviews.*
            ), logged as (
              insert into interview_events (interview_id, from_status, to_status, actor, reason)
              select id, 'created', 'used', 'candidate', 'first join' from moved
            ), consented as (
              insert into consents (interview_id, version, lang, user_agent)
              select c.id, c.version, c.lang, c.user_agent from moved
              join unnest(${won.map((i) => requests[i]!.id)}::text[], ${won.map((i) => requests[i]!.consent?.version ?? null)}::text[],
                          ${won.map((i) => requests[i]!.consent?.lang ?? null)}::text[], ${won.map((i) => requests[i]!.consent?.userAgent ?? null)}::text[])
                as c(id, version, lang, user_agent) on c.id = moved.id
              where c.version is not null
            )
            select * from moved`;
          // Settled only once committed: a winner's row is known to be `used` when it is answered.
          winners = won.map((i) => {
            const row = moved.find((r) => r.id === requests[i]!.id);
            // Cannot happen while the row lock is held; said plainly rather than assumed.
            if (!row) throw new Error(`interview ${requests[i]!.id} changed under its row lock`);
            return [i, row] as const;
          });
        });
      } finally {
        for (const [i, error] of failed) settle(i, { outcome: 'dispatch_failed', error });
      }
      for (const [i, interview] of winners) settle(i, { outcome: 'claimed', interview });
    },

    /**
     * Adds an observation to the event log without a change of state (from = to = now). With a
     * webhook id it is written at most once per delivery.
     */
    async note(id: string, actor: string, reason: string, webhookId?: string): Promise<boolean> {
      const res = await sql`
        insert into interview_events (interview_id, from_status, to_status, actor, reason, webhook_id)
        select id, status, status, ${actor}, ${reason}, ${webhookId ?? null} from interviews where id = ${id}
        on conflict (webhook_id) where webhook_id is not null do nothing`;
      return res.count > 0;
    },
  };
}

export type SessionRepo = ReturnType<typeof createSessionRepo>;
