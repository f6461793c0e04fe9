import type { Sql } from '../cli/adapters/db/connect.js';
import type { Interview } from '../cli/core/interview.js';

/**
 * The interview once its join has committed. serve dispatches us inside the join's transaction,
 * so the row may still read `created`: rather than poll, this listens for the commit's NOTIFY
 * (on `interview_changed`, set up before the first read so none is missed) and reads again when
 * one names this interview. Gives up after `waitMs`, returning the row as it then is.
 */
export async function waitForJoinCommit(sql: Sql, find: (id: string) => Promise<Interview | undefined>, id: string, waitMs: number): Promise<Interview | undefined> {
  let wake = () => {};
  const listening = await sql.listen('interview_changed', (payload) => {
    if (payload.split(' ')[0] === id) wake();
  });
  const until = performance.now() + waitMs;
  try {
    for (;;) {
      const changed = new Promise<void>((r) => (wake = r));
      const interview = await find(id);
      const left = until - performance.now();
      if (!interview || interview.status !== 'created' || left <= 0) return interview;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([changed, new Promise((r) => (timer = setTimeout(r, left)))]);
      clearTimeout(timer);
    }
  } finally {
    await listening.unlisten().catch(() => {});
  }
}
