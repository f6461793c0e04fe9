import { createSessionRepo } from '../../cli/adapters/db/sessions.js';
import type { Sql } from '../../cli/adapters/db/connect.js';
import { recordingKeys } from '../../cli/core/keys.js';
import { assertStored, failInterview, storeTranscript } from '../finalize.js';
import type { RecordingDeps, SessionRecording } from './session-recording.js';

/** The words every event of a RECORDER=off interview uses, so show/watch say why there is no MP4. */
export const RECORDER_OFF_REASON = 'no recording: the recorder is off by configuration (RECORDER=off)';

/**
 * RECORDER=off: nothing captures media. The conversation runs as usual, utterances are written
 * with offsets from the conversation's start, and at the end the transcript alone is stored at
 * the usual keys (timestamp = conversation start). The interview goes `used → ending →
 * completed`: it never enters `recording`, and `recording_key` stays null.
 */
export function beginTranscriptOnly(d: RecordingDeps, opts: { sql: Sql; startedAt?: Date; now?: () => number }): SessionRecording {
  const now = opts.now ?? (() => performance.now());
  const startedAt = opts.startedAt ?? new Date();
  const t0 = now();
  let endAt: number | undefined;
  const keys = recordingKeys(d.interviewId, d.roomName, startedAt);
  // A note, not a state: it shows in `show`'s timeline and `watch` while the interview is live.
  const started = createSessionRepo(opts.sql)
    .note(d.interviewId, 'agent', RECORDER_OFF_REASON)
    .then(
      () => d.log.info('conversation started without recording', { recorder: 'off' }),
      (err: unknown) => d.log.warn('could not note that the recorder is off', { error: (err as Error).message }),
    );
  return {
    mode: 'off',
    offsetMs: (at = now()) => at - t0,
    media: undefined,
    started,
    beforeSpeaking: Promise.resolve(),
    failure: () => undefined,
    markEnd: () => {
      endAt ??= now();
    },
    async finish() {
      const durationMs = (endAt ?? now()) - t0;
      try {
        const count = await storeTranscript({ ...d, startedAt, keys }, { durationMs, recordingKey: null });
        await assertStored(d.storage, [keys.transcript, keys.vtt]);
        await d.interviews.applyEvent(d.interviewId, 'finalized', {
          actor: 'agent',
          reason: `transcript stored; ${RECORDER_OFF_REASON}`,
          patch: { recording_key: null, transcript_key: keys.transcript, vtt_key: keys.vtt },
        });
        d.log.info('interview completed', { utterances: count, recorder: 'off' });
        return 'completed';
      } catch (err) {
        d.log.error('transcript could not be stored', { error: (err as Error).message });
        await failInterview(d.interviews, d.interviewId, 'recorder_failed', 'transcript could not be stored');
        return 'failed';
      }
    },
    abandon: async () => {},
  };
}
