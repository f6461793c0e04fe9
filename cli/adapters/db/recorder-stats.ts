import type { Sql } from './connect.js';

/** RECORDER=browser: the page's recording against the interviewer's audio witness (migration 00013). */
export interface RecordingCheck {
  agrees: boolean;
  detail: string;
  recordingMs: number;
  witnessMs: number;
  speechWithoutWitnessS: number;
  witnessKey: string;
}

/** What the agent's recorder reports about a recording (migrations 00010, 00013). */
export function createRecorderStatsRepo(sql: Sql) {
  return {
    async setRecordingCheck(interviewId: string, check: RecordingCheck): Promise<void> {
      await sql`update interviews set recording_check = ${sql.json(check as never)}, updated_at = now() where id = ${interviewId}`;
    },

    async recordingCheck(interviewId: string): Promise<RecordingCheck | null> {
      // Aliased: the same key whether or not the client renames columns to camelCase.
      const [row] = await sql<{ found: RecordingCheck | null }[]>`select recording_check as found from interviews where id = ${interviewId}`;
      return row?.found ?? null;
    },

    async setDroppedFrames(interviewId: string, frames: number): Promise<void> {
      await sql`update interviews set recorder_dropped_frames = ${frames}, updated_at = now() where id = ${interviewId}`;
    },

    async droppedFrames(interviewId: string): Promise<number | null> {
      const [row] = await sql<{ recorderDroppedFrames: number | null }[]>`select recorder_dropped_frames from interviews where id = ${interviewId}`;
      return row?.recorderDroppedFrames ?? null;
    },
  };
}
