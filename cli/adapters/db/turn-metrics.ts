import type { Sql } from './connect.js';

/** The latencies of one interviewer turn (ms; null where that stage did not run). */
export interface TurnMetrics {
  seq: number;
  questionIndex: number | null;
  kind: string;
  /** End of the candidate's speech (VAD) → end of turn decided. */
  eouDelayMs: number | null;
  /** End of the candidate's speech → the final transcript. */
  transcriptionDelayMs: number | null;
  llmTtftMs: number | null;
  llmDurationMs: number | null;
  ttsTtfbMs: number | null;
  /** End of the candidate's speech → the interviewer's first audio. */
  firstAudioMs: number | null;
  /** Why the model's reply was replaced by the scripted line; null when it was not. */
  replaced: string | null;
}

const ms = (v: number | null) => (v === null || !Number.isFinite(v) ? null : Math.max(0, Math.round(v)));

/** Per-turn latencies of interviews (migration 00011), written by the agent, read by `show --json` and benches. */
export function createTurnMetricsRepo(sql: Sql) {
  return {
    async add(interviewId: string, m: TurnMetrics): Promise<void> {
      await sql`
        insert into turn_metrics (interview_id, seq, question_index, kind, eou_delay_ms, transcription_delay_ms,
                                  llm_ttft_ms, llm_duration_ms, tts_ttfb_ms, first_audio_ms, replaced)
        values (${interviewId}, ${m.seq}, ${m.questionIndex}, ${m.kind}, ${ms(m.eouDelayMs)}, ${ms(m.transcriptionDelayMs)},
                ${ms(m.llmTtftMs)}, ${ms(m.llmDurationMs)}, ${ms(m.ttsTtfbMs)}, ${ms(m.firstAudioMs)}, ${m.replaced})
        on conflict (interview_id, seq) do nothing`;
    },

    async list(interviewId: string): Promise<TurnMetrics[]> {
      return sql<TurnMetrics[]>`
        select seq, question_index, kind, eou_delay_ms, transcription_delay_ms, llm_ttft_ms, llm_duration_ms, tts_ttfb_ms, first_audio_ms, replaced
        from turn_metrics where interview_id = ${interviewId} order by seq`;
    },
  };
}

export type TurnMetricsRepo = ReturnType<typeof createTurnMetricsRepo>;
