import type { Sql } from './sql.js';

export interface InterviewerLock {
  /** Lets go of the lock and gives its connection back to the pool. */
  release(): Promise<void>;
}

/**
 * Takes the interview's interviewer lock, so that two agent jobs (a re-dispatch's and one that
 * started just before it) never run one interview together: a Postgres session advisory lock on
 * a connection reserved for as long as it is held. Postgres frees it when that connection closes,
 * so a job process that is killed frees it too. Undefined when another session holds it.
 */
export async function takeInterviewerLock(sql: Sql, interviewId: string): Promise<InterviewerLock | undefined> {
  // 64-bit hash: two interviews sharing a key would keep one of them without an interviewer.
  const key = `interviewer:${interviewId}`;
  const conn = await sql.reserve();
  let held = false;
  try {
    const [row] = await conn<{ ok: boolean }[]>`select pg_try_advisory_lock(hashtextextended(${key}, 0)) as ok`;
    held = row?.ok === true;
  } finally {
    if (!held) conn.release();
  }
  if (!held) return undefined;
  return {
    async release() {
      // A session lock outlives its holder on a pooled connection: unlock before giving it back.
      // If that fails the connection stays out of the pool; closing the pool closes it, and the lock goes with it.
      try {
        await conn`select pg_advisory_unlock(hashtextextended(${key}, 0))`;
      } catch {
        return;
      }
      conn.release();
    },
  };
}
