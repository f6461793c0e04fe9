import type { Sql } from './connect.js';

/** What the agent's recorder reports about a recording (migration 00010). */
export function createRecorderStatsRepo(sql: Sql) {
  return {
    async setDroppedFrames(interviewId: string, frames: number): Promise<void> {
      await sql`update interviews set recorder_dropped_frames = ${frames}, updated_at = now() where id = ${interviewId}`;
    },

    async droppedFrames(interviewId: string): Promise<number | null> {
      const [row] = await sql<{ recorderDroppedFrames: number | null }[]>`select recorder_dropped_frames from interviews where id = ${interviewId}`;
      return row?.recorderDroppedFrames ?? null;
    },
  };
}
