import { ConflictError } from '../../cli/core/errors.js';
import type { InterviewRepo } from '../../cli/adapters/db/interviews.js';
import type { UtteranceRepo } from '../../cli/adapters/db/utterances.js';
import type { ObjectStorage } from '../../cli/adapters/storage/storage.js';
import type { Logger } from '../../cli/log.js';
import type { I420 } from '../recorder/media-buffers.js';
import type { SpeechTap } from '../speech/voice-out.js';

/**
 * How an interview is captured (RECORDER): the agent's own ffmpeg recorder, LiveKit Egress, or
 * nothing at all. The interview job runs the same conversation for each and asks its recording
 * to begin when the candidate is there, to mark the end when the talk is over, and to finish
 * (recording, transcript, final state) once the interview is `ending`.
 */
export interface SessionRecording {
  readonly mode: 'agent' | 'egress' | 'browser' | 'off';
  /** The clock of utterance offsets: ms since the recording (or, with none, the conversation) began. */
  offsetMs(at?: number): number;
  /** Where the candidate's media and the agent's voice go; only the agent's own recorder takes them. */
  readonly media: MediaSink | undefined;
  /** Settles once the start is decided (state moved, or a failure noted); rejects only on an unexpected error. */
  readonly started: Promise<void>;
  /** What the first words wait for (the egress going active, so the greeting is in the file). Never rejects. */
  readonly beforeSpeaking: Promise<void>;
  /** Why the recorder failed, once it has: the interview then fails with `recorder_failed`. */
  failure(): string | undefined;
  /** The conversation is over: the recording ends here, however long the bookkeeping takes. */
  markEnd(): void;
  /** With the interview `ending`: finishes the recording and the transcript, then completes or fails it. */
  finish(): Promise<'completed' | 'failed'>;
  /** The job leaves without finishing (the interview failed or moved on elsewhere). */
  abandon(): Promise<void>;
}

export interface MediaSink extends SpeechTap {
  pushCandidateAudio(samples: Int16Array): void;
  pushCandidateVideo(frame: I420): void;
  clearVideo(): void;
}

/** What every recording needs from the job. */
export interface RecordingDeps {
  interviewId: string;
  roomName: string;
  lang: string;
  speechMode: string;
  storage: ObjectStorage;
  interviews: InterviewRepo;
  utterances: UtteranceRepo;
  log: Logger;
  /** The recorder failed mid-session: the conversation must stop now. */
  stopConversation(): void;
}

/**
 * Moves the interview to `recording` with its video key. One that was ended meanwhile (End, an
 * operator) stops the conversation instead; any other failure rejects.
 */
export async function markRecorderStarted(d: RecordingDeps, recordingKey: string, reason: string): Promise<boolean> {
  try {
    await d.interviews.applyEvent(d.interviewId, 'recorder_started', { actor: 'agent', reason, patch: { recording_key: recordingKey } });
    return true;
  } catch (err) {
    if (!(err instanceof ConflictError)) throw err;
    d.stopConversation();
    return false;
  }
}
