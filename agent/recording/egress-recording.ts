import { EGRESS_ENDED, EgressUnavailableError, type EgressRecorder, type EgressState } from '../../cli/adapters/livekit/egress.js';
import { recordingKeys } from '../../cli/core/keys.js';
import { assertStored, failInterview, storeTranscript } from '../finalize.js';
import { markRecorderStarted, type RecordingDeps, type SessionRecording } from './session-recording.js';

export interface EgressDeps extends RecordingDeps {
  egress: EgressRecorder;
  /** Stores the egress id on the interview as soon as LiveKit accepted it. */
  saveEgressId(egressId: string): Promise<void>;
  /** Resolves once the agent's own audio track is published: an egress started earlier misses its voice. */
  agentTrack: Promise<unknown>;
  /** The early check of the Egress API (see `checkEgress`): an error means there is no egress service. */
  preflight?: Promise<Error | undefined>;
  /** Deletes the LiveKit room; only after the egress has ended, or its last seconds are clipped. */
  deleteRoom(): Promise<void>;
  startedAt?: Date;
  now?: () => number;
  /** How long to wait for LiveKit to report the egress ended after the stop (default 2 min). */
  endTimeoutMs?: number;
  /** How long the first words wait for the egress to be active (default 15 s). */
  activeTimeoutMs?: number;
  pollMs?: number;
}

/**
 * The Egress API, asked once at the start of a job while the candidate is still joining: a server
 * without an egress service says so at once, where starting one would wait ~23 s to fail.
 */
export function checkEgress(egress: EgressRecorder, roomName: string): Promise<Error | undefined> {
  return egress.probe(roomName).then(
    () => undefined,
    (err: unknown) => err as Error,
  );
}

/**
 * RECORDER=egress (LiveKit Cloud): a RoomComposite egress records the room straight to the S3
 * bucket at the usual key. It starts once the candidate is there and the agent's voice is
 * published; the interview goes `recording` when LiveKit accepts it. The end follows the order
 * that keeps the file whole: stop the egress, wait until LiveKit reports it ended, store the
 * transcript, delete the room, then `completed` only if the egress reports its file complete and
 * the MP4 is in the bucket; anything else is `failed` with `recorder_failed`.
 */
export function beginEgressRecording(d: EgressDeps): SessionRecording {
  const now = d.now ?? (() => performance.now());
  const startedAt = d.startedAt ?? new Date();
  const t0 = now();
  const keys = recordingKeys(d.interviewId, d.roomName, startedAt);
  const pollMs = d.pollMs ?? 1000;
  let egressId: string | undefined;
  let failed: string | undefined;
  let endAt: number | undefined;
  let stopped = false;

  const started = (async () => {
    await d.agentTrack;
    const early = await d.preflight;
    if (early instanceof EgressUnavailableError) throw early;
    const first = await d.egress.startRoomComposite(d.roomName, keys.video);
    egressId = first.egressId;
    await d.saveEgressId(egressId);
    await markRecorderStarted(d, keys.video, `LiveKit Egress ${egressId} started`);
    d.log.info('recording started', { recorder: 'egress', egress_id: egressId, egress_status: first.phase });
    // The greeting (with its recording disclosure) should be in the file: give the egress a
    // moment to go active, bounded, and talk anyway if it is slow.
    let state: EgressState | undefined = first;
    const until = now() + (d.activeTimeoutMs ?? 15_000);
    for (let i = 0; i < 1000 && state?.phase === 'starting' && now() < until; i++) {
      await new Promise((r) => setTimeout(r, pollMs));
      state = await d.egress.get(egressId).catch(() => state);
    }
    if (state && EGRESS_ENDED.includes(state.phase)) throw new Error(`LiveKit Egress ${egressId} ended as it started: ${state.phase} ${state.error}`.trim());
  })().catch((err: unknown) => {
    if (err instanceof EgressUnavailableError) {
      failed = `LiveKit Egress is not available on this LiveKit server: ${messageOf(err.cause)}`;
      d.log.error('LiveKit Egress is not available on this LiveKit server; RECORDER=egress needs LiveKit Cloud or a self-hosted egress service', { error: messageOf(err.cause) });
    } else {
      failed = `LiveKit Egress could not start: ${messageOf(err)}`;
      d.log.error('LiveKit Egress could not start', { error: messageOf(err) });
    }
    d.stopConversation();
  });

  async function stopEgress(): Promise<void> {
    if (!egressId || stopped) return;
    stopped = true;
    await d.egress.stop(egressId);
  }

  return {
    mode: 'egress',
    offsetMs: (at = now()) => at - t0,
    media: undefined,
    started,
    beforeSpeaking: started,
    failure: () => failed,
    markEnd: () => {
      endAt ??= now();
    },
    async finish() {
      await started;
      const fail = async (why: string) => {
        d.log.error('egress recording could not be completed', { error: why, egress_id: egressId ?? null });
        await failInterview(d.interviews, d.interviewId, 'recorder_failed', why);
        return 'failed' as const;
      };
      if (failed || !egressId) {
        await d.deleteRoom().catch(() => {});
        return fail(failed ?? 'LiveKit Egress never started');
      }
      const id = egressId;
      let problem: string | undefined;
      try {
        await stopEgress();
      } catch (err) {
        problem = `LiveKit Egress could not be stopped: ${messageOf(err)}`;
      }
      const timeoutMs = d.endTimeoutMs ?? 120_000;
      const state = await d.egress.waitEnded(id, { timeoutMs, intervalMs: pollMs }).catch((err: unknown) => {
        problem ??= `LiveKit Egress did not answer: ${messageOf(err)}`;
        return undefined;
      });
      d.log.info('egress ended', { egress_id: id, egress_status: state?.phase ?? 'unknown', bytes: state?.file?.bytes ?? null });
      const conversationMs = (endAt ?? now()) - t0;
      let count = 0;
      try {
        count = await storeTranscript({ ...d, startedAt, keys }, { durationMs: state?.file?.durationMs || conversationMs, recordingKey: keys.video });
      } catch (err) {
        problem ??= `transcript could not be stored: ${messageOf(err)}`;
      }
      // Only now: deleting the room while the egress still writes clips the end of the file.
      await d.deleteRoom().catch((err: unknown) => d.log.warn('could not delete the room', { error: messageOf(err) }));
      if (!problem) {
        if (!state || !EGRESS_ENDED.includes(state.phase)) problem = `LiveKit Egress ${id} had not ended ${Math.round(timeoutMs / 1000)} s after it was stopped (${state?.phase ?? 'unknown'})`;
        else if (state.phase !== 'complete') problem = `LiveKit Egress ${id} ended ${state.phase}${state.error ? `: ${state.error}` : ''}`;
      }
      if (!problem) {
        try {
          await assertStored(d.storage, [keys.video, keys.transcript, keys.vtt]);
        } catch (err) {
          problem = `LiveKit Egress reported its file complete, but: ${messageOf(err)}`;
        }
      }
      if (problem) return fail(problem);
      await d.interviews.applyEvent(d.interviewId, 'finalized', {
        actor: 'agent',
        reason: 'LiveKit Egress recording and transcript stored',
        patch: { recording_key: keys.video, transcript_key: keys.transcript, vtt_key: keys.vtt },
      });
      d.log.info('interview completed', { utterances: count, recorder: 'egress', egress_id: id });
      return 'completed';
    },
    async abandon() {
      await started;
      await stopEgress().catch((err: unknown) => d.log.warn('could not stop the egress', { error: messageOf(err), egress_id: egressId ?? null }));
    },
  };
}

function messageOf(err: unknown): string {
  return String((err as Error)?.message ?? err);
}
