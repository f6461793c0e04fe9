import type { Utterance } from '../../core/transcript.js';
import type { Sql } from './connect.js';

/** The utterance log of interviews: appended by the agent while it runs, read for transcripts. */
export function createUtteranceRepo(sql: Sql) {
  return {
    /** Appends one utterance; `seq` orders them within the interview. */
    async add(interviewId: string, u: Utterance): Promise<void> {
      await sql`
        insert into utterances (interview_id, seq, speaker, kind, question_index, text, start_ms, end_ms)
        values (${interviewId}, ${u.seq}, ${u.speaker}, ${u.kind}, ${u.questionIndex}, ${u.text},
                ${Math.max(0, Math.round(u.startMs))}, ${Math.max(Math.round(u.startMs), Math.round(u.endMs))})
        on conflict (interview_id, seq) do update set text = excluded.text, end_ms = excluded.end_ms`;
    },

    /** Sets the text of an utterance once speech-to-text has caught up. */
    async setText(interviewId: string, seq: number, text: string): Promise<void> {
      await sql`update utterances set text = ${text} where interview_id = ${interviewId} and seq = ${seq}`;
    },

    /** Re-kinds an utterance once its meaning is known (a candidate's own question rather than an answer). */
    async setKind(interviewId: string, seq: number, kind: string): Promise<void> {
      await sql`update utterances set kind = ${kind} where interview_id = ${interviewId} and seq = ${seq}`;
    },

    /** Moves an utterance on the recording's clock (RECORDER=browser: onto the joined file's time). */
    async setTimes(interviewId: string, seq: number, startMs: number, endMs: number): Promise<void> {
      await sql`update utterances set start_ms = ${Math.max(0, Math.round(startMs))}, end_ms = ${Math.max(Math.round(startMs), Math.round(endMs))}
                where interview_id = ${interviewId} and seq = ${seq}`;
    },

    async list(interviewId: string): Promise<Utterance[]> {
      return sql<Utterance[]>`
        select seq, speaker, kind, question_index, text, start_ms, end_ms from utterances where interview_id = ${interviewId} order by seq`;
    },
  };
}

export type UtteranceRepo = ReturnType<typeof createUtteranceRepo>;
