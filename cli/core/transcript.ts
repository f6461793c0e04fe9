/** One thing said in an interview. Offsets are ms from the recording start. */
export interface Utterance {
  seq: number;
  speaker: 'agent' | 'candidate';
  /** greeting, question, followup, time_warning, closing, answer, … */
  kind: string;
  questionIndex: number | null;
  /** null when the speech was kept as audio only (no speech-to-text configured). */
  text: string | null;
  startMs: number;
  endMs: number;
}

export interface TranscriptMeta {
  interviewId: string;
  roomName: string;
  recordingStartedAt: Date;
  durationMs: number;
  lang: string;
  /** 'deepgram' or 'offline' (answers kept as audio only). */
  speechMode: string;
  /** null when nothing was recorded (RECORDER=off). */
  recordingKey: string | null;
}

/** The `.transcript.json` document (SPEC.md section 6): speakers and offsets, text where known. */
export function transcriptJson(meta: TranscriptMeta, utterances: readonly Utterance[]): string {
  const doc = {
    version: 1,
    interviewId: meta.interviewId,
    roomName: meta.roomName,
    recordingStartedAt: meta.recordingStartedAt.toISOString(),
    durationMs: Math.round(meta.durationMs),
    lang: meta.lang,
    speechMode: meta.speechMode,
    recording: meta.recordingKey,
    utterances: [...utterances]
      .sort((a, b) => a.startMs - b.startMs || a.seq - b.seq)
      .map((u) => ({ speaker: u.speaker, kind: u.kind, questionIndex: u.questionIndex, startMs: Math.round(u.startMs), endMs: Math.round(u.endMs), text: u.text })),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** `HH:MM:SS.mmm` as WebVTT wants it. */
export function vttTime(ms: number): string {
  const t = Math.max(0, Math.round(ms));
  const h = Math.floor(t / 3_600_000);
  const m = Math.floor((t % 3_600_000) / 60_000);
  const s = Math.floor((t % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(t % 1000, 3)}`;
}

const SPEAKER_LABEL = { agent: 'Interviewer', candidate: 'Candidate' } as const;

/** The `.vtt` captions: one cue per utterance; speech without text is marked as such. */
export function transcriptVtt(utterances: readonly Utterance[]): string {
  const cues = [...utterances]
    .sort((a, b) => a.startMs - b.startMs || a.seq - b.seq)
    .filter((u) => u.endMs > u.startMs)
    .map((u, i) => {
      const text = (u.text ?? '(speaking; no text recorded)').replace(/-->/g, '→').replace(/\n+/g, ' ').trim();
      return `${i + 1}\n${vttTime(u.startMs)} --> ${vttTime(u.endMs)}\n<v ${SPEAKER_LABEL[u.speaker]}>${text}\n`;
    });
  return `WEBVTT\n\n${cues.join('\n')}`;
}

/** Plain text for people: `[mm:ss] Interviewer: …`, one line per utterance. */
export function transcriptText(utterances: readonly Utterance[]): string {
  return [...utterances]
    .sort((a, b) => a.startMs - b.startMs || a.seq - b.seq)
    .map((u) => `[${vttTime(u.startMs).slice(3, 8)}] ${SPEAKER_LABEL[u.speaker]}: ${u.text ?? '(speaking; no text recorded)'}`)
    .join('\n');
}
