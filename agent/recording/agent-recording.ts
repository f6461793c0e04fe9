import { basename, join } from 'node:path';
import { recordingKeys } from '../../cli/core/keys.js';
import { finalizeRecording } from '../finalize.js';
import { Recorder } from '../recorder/recorder.js';
import { markRecorderStarted, type RecordingDeps, type SessionRecording } from './session-recording.js';

/**
 * RECORDER=agent (the default): the agent composes the candidate's camera and voice and its own
 * voice into a fragmented MP4 with ffmpeg, streamed to storage as it goes (with a local spool).
 * The interview goes `recording` beside the greeting: the recorder is already capturing, and the
 * interview's end is fixed by its first join, so nothing needs to wait for Postgres.
 */
export function beginAgentRecording(d: RecordingDeps, opts: { spoolDir: string; startedAt?: Date; saveDroppedFrames?: (n: number) => Promise<void> }): SessionRecording {
  const startedAt = opts.startedAt ?? new Date();
  const keys = recordingKeys(d.interviewId, d.roomName, startedAt);
  const spoolFile = join(opts.spoolDir, d.interviewId, basename(keys.video));
  let failed: string | undefined;
  const rec = new Recorder({
    storage: d.storage,
    key: keys.video,
    spoolFile,
    onError: (err) => {
      d.log.error('recorder failed', { error: err.message });
      failed = 'recording could not be stored';
      d.stopConversation();
    },
  });
  rec.start();
  const started = markRecorderStarted(d, keys.video, 'agent recorder started').then((ok) => {
    if (ok) d.log.info('recording started', { recorder: 'agent' });
  });
  started.catch(() => {});
  return {
    mode: 'agent',
    offsetMs: (at) => rec.offsetMs(at),
    media: rec,
    started,
    beforeSpeaking: Promise.resolve(),
    failure: () => failed,
    markEnd: () => rec.markEnd(),
    finish: async () => {
      const outcome = await finalizeRecording({ interviewId: d.interviewId, roomName: d.roomName, lang: d.lang, speechMode: d.speechMode, startedAt, keys, spoolFile, recorder: rec, storage: d.storage, interviews: d.interviews, utterances: d.utterances, log: d.log });
      if (rec.droppedFrames > 0) d.log.warn('recorder dropped video frames while ffmpeg was behind', { frames: rec.droppedFrames });
      await opts.saveDroppedFrames?.(rec.droppedFrames).catch((err: unknown) => d.log.warn('could not store the dropped-frame count', { error: (err as Error).message }));
      return outcome;
    },
    abandon: async () => rec.kill(),
  };
}
