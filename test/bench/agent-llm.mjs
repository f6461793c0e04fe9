// bench:agent --llm: the LLM interviewer's latency against two local STAND-INS (not a model, not
// Deepgram): the OpenAI-compatible one answers every turn "NEXT: Thank you." after a set time to
// first token, and the Deepgram one transcribes and speaks at once. Measured:
//   - end of answer → the interviewer's first audio (the candidate's side, and the agent's own
//     turn_metrics row), p50/p90;
//   - our overhead: that gap less what the stand-ins and our settings take by design. The reply
//     is asked for when the final transcript lands, so the designed wait is the longer of the
//     end-of-turn silence and (final transcript + the model's first token); with the turn
//     detector on, the time it holds the turn (end of speech → end of turn decided) is designed too.
import { percentile, table } from './live.mjs';

/** Starts both stand-ins on loopback; returns them and the agent's environment for them. */
export async function startLlmStandIns({ firstTokenMs, sttFinalMs }) {
  const { startLlmStandIn } = await import('../stack/llm-stand-in.mjs');
  const { startDeepgramStandIn } = await import('../stack/deepgram-stand-in.mjs');
  const llm = await startLlmStandIn({ apiKey: 'bench-llm-key', respond: () => ({ text: 'NEXT: Thank you.', firstTokenMs }) });
  const deepgram = await startDeepgramStandIn({ apiKey: 'bench-dg-key', transcripts: ['I lead a small team that builds media servers and recording tools for real time video'], endpointingMs: sttFinalMs });
  return {
    env: { DEEPGRAM_API_KEY: 'bench-dg-key', DEEPGRAM_BASE_URL: deepgram.url, LLM_BASE_URL: llm.url, LLM_MODEL: 'stand-in-model', LLM_API_KEY: 'bench-llm-key' },
    llm,
    deepgram,
    async stop() {
      await Promise.all([llm.stop(), deepgram.stop()]);
    },
  };
}

/** The LLM section of the report, from the candidates' gaps and the agent's turn_metrics rows. */
export async function llmReport(sql, ids, heard, { firstTokenMs, sttFinalMs, silenceMs, turnDetector }) {
  // The turns a model's words (or their replacement) followed: the acknowledgments and follow-ups.
  const rows = await sql`select kind, eou_delay_ms, transcription_delay_ms, llm_ttft_ms, llm_duration_ms, tts_ttfb_ms, first_audio_ms, replaced
    from turn_metrics where interview_id = any(${ids}) and kind in ('acknowledgment', 'follow_up')`;
  const col = (name) => rows.map((r) => r[name]).filter((v) => v !== null).map(Number);
  const gaps = heard.flatMap((h) => h.gaps.filter((g) => g.next !== 'closing' && Number.isFinite(g.ms)).map((g) => g.ms));
  const stored = col('first_audio_ms');
  const designed = Math.max(silenceMs, sttFinalMs + firstTokenMs);
  const f = (v) => (Number.isFinite(v) ? `${Math.round(v)} ms` : '—');
  const line = (what, values, less = 0) => [what, String(values.length), f(percentile(values, 50) - less), f(percentile(values, 90) - less)];
  const text = [
    '',
    `LLM mode (stand-ins: first token ${firstTokenMs} ms, Deepgram final ${sttFinalMs} ms after speech, speech at once; end-of-turn silence ${silenceMs} ms; turn detector ${turnDetector})`,
    table([
        ['', 'N', 'P50', 'P90'],
        line('end of answer → first audio (candidate side)', gaps),
        line('end of answer → first audio (agent, turn_metrics)', stored),
        line(`our overhead beyond max(silence, final + first token) (${designed} ms), candidate side`, gaps, designed),
        // The turn detector may hold a turn open past the silence (it judged the answer unfinished):
        // a designed wait too. The reply was asked for meanwhile; what follows the decision is ours.
        line('agent side: end of turn decided → first audio', rows.filter((r) => r.first_audio_ms !== null && r.eou_delay_ms !== null).map((r) => Number(r.first_audio_ms) - Number(r.eou_delay_ms))),
        // Per turn, what the stand-ins and settings take by design: the turn decided (the silence, or
        // the detector's hold), or the final transcript (as it landed) plus the configured first token.
        line(`agent side: our overhead beyond max(end of turn, final transcript + ${firstTokenMs} ms)`, rows.filter((r) => r.first_audio_ms !== null && r.eou_delay_ms !== null && r.transcription_delay_ms !== null).map((r) => Number(r.first_audio_ms) - Math.max(Number(r.eou_delay_ms), Number(r.transcription_delay_ms) + firstTokenMs))),
        line('model: first token (as the agent saw it)', col('llm_ttft_ms')),
        line('model: whole reply', col('llm_duration_ms')),
        line('speech: synthesis of the reply', col('tts_ttfb_ms')),
        line('end of speech → end of turn decided', col('eou_delay_ms')),
        line('end of speech → final transcript', col('transcription_delay_ms')),
    ]),
    `replaced replies: ${rows.filter((r) => r.replaced).length} of ${rows.length}`,
    '',
  ].join('\n');
  return { text, json: { firstTokenMs, sttFinalMs, turnDetector, silenceMs, gapP50Ms: percentile(gaps, 50), gapP90Ms: percentile(gaps, 90), storedP50Ms: percentile(stored, 50), overheadP50Ms: percentile(gaps, 50) - designed, turns: rows.length } };
}
