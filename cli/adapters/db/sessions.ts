import type { Interview } from '../../core/interview.js';
import { allowedFrom } from '../../core/states.js';
import type { Sql } from './connect.js';
import { rowToInterview } from './interviews.js';

export type ClaimResult =
  | { outcome: 'claimed'; interview: Interview }
  | { outcome: 'busy' }
  | { outcome: 'not_created' };

/** The live-session side of interviews: the one-time claim and candidate presence. */
export function createSessionRepo(sql: Sql) {
  return {
    /**
     * The first join wins: locks the row (NOWAIT, so a racing join is told at once that the link
     * is taken; NO KEY UPDATE, so a webhook that only references the row does not count as one), runs `start` (room + agent dispatch) while holding it, then moves
     * `created → used` with the resume key's hash and the dispatch id, all in one transaction.
     * If `start` fails nothing changes and the link stays usable.
     */
    async claimForJoin(id: string, resumeKeyHash: string, start: () => Promise<string>): Promise<ClaimResult> {
      try {
        return (await sql.begin(async (tx) => {
          const t = tx as unknown as Sql;
          const [row] = await t<{ status: string }[]>`
            select status from interviews where id = ${id} and expires_at > now() for no key update nowait`;
          if (!row || !allowedFrom('join').includes(row.status as never)) return { outcome: 'not_created' } as const;
          const dispatchId = await start();
          const [moved] = await t`
            update interviews set status = 'used', used_at = now(), updated_at = now(),
              resume_key_hash = ${resumeKeyHash}, dispatch_id = ${dispatchId}
            where id = ${id} and status = any(${allowedFrom('join') as string[]})
            returning *`;
          await t`
            insert into interview_events (interview_id, from_status, to_status, actor, reason)
            values (${id}, 'created', 'used', 'candidate', 'first join')`;
          return { outcome: 'claimed', interview: rowToInterview(moved!) } as const;
        })) as ClaimResult;
      } catch (err) {
        // 55P03: another join holds the row right now.
        if ((err as { code?: string }).code === '55P03') return { outcome: 'busy' };
        throw err;
      }
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

    /** Records when the candidate first joined the room; later joins keep the first time. */
    async markCandidateJoined(id: string, at: Date): Promise<boolean> {
      const res = await sql`
        update interviews set candidate_joined_at = ${at}, updated_at = now()
        where id = ${id} and candidate_joined_at is null`;
      return res.count > 0;
    },
  };
}

export type SessionRepo = ReturnType<typeof createSessionRepo>;
