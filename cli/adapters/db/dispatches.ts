import type { Sql } from './sql.js';

/** The event reason a re-dispatch writes; also how its time is found again. */
export const REDISPATCH_REASON = 'agent dispatched again';

/** Re-dispatches of an interview's interviewer (reconcile's), on the interview row and its event log. */
export function createDispatchRepo(sql: Sql) {
  return {
    /** When the interviewer was last dispatched again, or null if it never was. */
    async lastRedispatchAt(id: string): Promise<Date | null> {
      const [row] = await sql<{ at: Date | null }[]>`
        select max(at) as at from interview_events where interview_id = ${id} and reason like ${`${REDISPATCH_REASON}:%`}`;
      return row?.at ?? null;
    },

    /**
     * Dispatches the interviewer of a `used` interview again with `dispatch` and stores the new
     * dispatch id, with an event saying why. The row's dispatch id is cleared first: a job that
     * reads the row before the new id is stored must not leave for "another dispatch" (the job's
     * interviewer lock keeps it to one interviewer meanwhile). False, and nothing dispatched, when
     * the row moved on or names another dispatch than `expected` (another sweep was first).
     */
    async redispatch(id: string, expected: string | null, dispatch: () => Promise<string>, why: string): Promise<boolean> {
      const cleared = await sql`
        update interviews set dispatch_id = null, updated_at = now()
        where id = ${id} and status = 'used' and dispatch_id is not distinct from ${expected}`;
      if (cleared.count === 0) return false;
      let dispatchId: string;
      try {
        dispatchId = await dispatch();
      } catch (err) {
        // LiveKit did not answer: the old dispatch stays the row's, for the next sweep to retry.
        await sql`update interviews set dispatch_id = ${expected} where id = ${id} and dispatch_id is null`.catch(() => {});
        throw err;
      }
      const rows = await sql`
        with moved as (
          update interviews set dispatch_id = ${dispatchId}, updated_at = now()
          where id = ${id} and dispatch_id is null
          returning id, status
        )
        insert into interview_events (interview_id, from_status, to_status, actor, reason)
        select id, status, status, 'reconcile', ${`${REDISPATCH_REASON}: ${why}`} from moved
        returning 1`;
      return rows.length > 0;
    },
  };
}

export type DispatchRepo = ReturnType<typeof createDispatchRepo>;
