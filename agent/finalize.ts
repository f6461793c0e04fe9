import type { InterviewRepo } from '../cli/adapters/db/interviews.js';
import type { UtteranceRepo } from '../cli/adapters/db/utterances.js';
import { recorderMetrics } from '../cli/metrics/agent-metrics.js';
import { removeQuietly, type ObjectStorage } from '../cli/adapters/storage/storage.js';
import { ConflictError } from '../cli/core/errors.js';
import { transcriptJson, transcriptVtt } from '../cli/core/transcript.js';
import type { Logger } from '../cli/log.js';
import type { Recorder } from './recorder/recorder.js';

export interface FinalizeInput {
  interviewId: string;
  roomName: string;
  lang: string;
  speechMode: string;
  startedAt: Date;
  keys: { video: string; transcript: string; vtt: string };
  spoolFile: string;
  recorder: Recorder;
  storage: ObjectStorage;
  interviews: InterviewRepo;
  utterances: UtteranceRepo;
  log: Logger;
}

/**
 * After the conversation: the MP4 completed in storage, then the transcript (JSON and VTT) at
 * their keys, and only when all three are there, `ending → completed`. Any failure leaves the
 * interview `failed` with `recorder_failed` and the local spool in place for a retry.
 */
export async function finalizeRecording(f: FinalizeInput): Promise<'completed' | 'failed'> {
  const { log } = f;
  try {
    const rec = await f.recorder.stop();
    log.info('recording uploaded', { bytes: rec.bytes, duration_ms: Math.round(rec.durationMs), storage: f.storage.kind });
    const count = await storeTranscript(f, { durationMs: rec.durationMs, recordingKey: f.keys.video });
    await assertStored(f.storage, [f.keys.video, f.keys.transcript, f.keys.vtt]);
    await f.interviews.applyEvent(f.interviewId, 'finalized', {
      actor: 'agent',
      reason: 'recording and transcript stored',
      patch: { recording_key: f.keys.video, transcript_key: f.keys.transcript, vtt_key: f.keys.vtt },
    });
    await removeQuietly(f.spoolFile);
    log.info('interview completed', { utterances: count });
    return 'completed';
  } catch (err) {
    recorderMetrics.uploadFailures.inc({ where: 'finalize' });
    log.error('recording could not be finalized', { error: (err as Error).message, spool: f.spoolFile });
    await failInterview(f.interviews, f.interviewId, 'recorder_failed', 'recording could not be stored');
    return 'failed';
  }
}

export type TranscriptInput = Pick<FinalizeInput, 'interviewId' | 'roomName' | 'lang' | 'speechMode' | 'startedAt' | 'storage' | 'utterances'> & {
  keys: { transcript: string; vtt: string };
};

/**
 * Writes the `.transcript.json` and `.vtt` of what was said, from the utterances in Postgres, at
 * their keys (every recorder mode does this). Resolves with the number of utterances.
 */
export async function storeTranscript(t: TranscriptInput, rec: { durationMs: number; recordingKey: string | null }): Promise<number> {
  const list = await t.utterances.list(t.interviewId);
  const meta = {
    interviewId: t.interviewId,
    roomName: t.roomName,
    recordingStartedAt: t.startedAt,
    durationMs: rec.durationMs,
    lang: t.lang,
    speechMode: t.speechMode,
    recordingKey: rec.recordingKey,
  };
  await t.storage.put(t.keys.transcript, transcriptJson(meta, list), 'application/json');
  await t.storage.put(t.keys.vtt, transcriptVtt(list), 'text/vtt');
  return list.length;
}

/** Throws unless every key is in storage now (read back, not assumed from the upload). */
export async function assertStored(storage: ObjectStorage, keys: string[]): Promise<void> {
  for (const key of keys) {
    if ((await storage.size(key)) === undefined) throw new Error(`stored object missing after upload: ${key}`);
  }
}

/** Moves a live interview to failed; a no-op when it is already past that. */
export async function failInterview(interviews: InterviewRepo, id: string, error: string, reason: string): Promise<void> {
  try {
    await interviews.applyEvent(id, 'fail', { actor: 'agent', reason, patch: { error, end_reason: error } });
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
  }
}
