import { createReadStream, writeFileSync } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { RecordingCheck } from '../../cli/adapters/db/recorder-stats.js';
import { compareWithWitness, contiguousParts, LEVEL_WINDOW_MS, readSegments, toRecordingTime, type SegmentManifest, type StoredSegment } from '../../cli/core/browser-recording.js';
import { ConflictError } from '../../cli/core/errors.js';
import { browserPartsPrefix, browserSegmentKeys, recordingKeys } from '../../cli/core/keys.js';
import { recorderMetrics } from '../../cli/metrics/agent-metrics.js';
import { assertStored, storeTranscript } from '../finalize.js';
import { browserJoinDirOf, Recorder, spoolLockOf, spoolLockOwner } from '../recorder/recorder.js';
import { audioLevels, joinSegments } from './browser-media.js';
import { markRecorderStarted, type MediaSink, type RecordingDeps, type SessionRecording } from './session-recording.js';
import { retimeUtterances } from './retime.js';

/** The interviewer's attribute that tells the page to stop recording (`stop`): the conversation is over. */
export const PAGE_RECORDING_ATTRIBUTE = 'interviewctl.recording';

export interface BrowserDeps extends RecordingDeps {
  /**
   * Tells the page the conversation is over: it stops its recorder and stores the rest. Not by
   * deleting the room: agents-js ends the job 15 s after its room goes, and the join takes longer.
   */
  stopPageRecording(): Promise<void>;
  saveCheck(check: RecordingCheck): Promise<void>;
  spoolDir: string;
  startedAt?: Date;
  /** How long the end waits for the page to store its last parts (default 45 s). */
  pageWaitMs?: number;
  pollMs?: number;
}

/**
 * RECORDER=browser: the candidate's page records itself (camera, microphone and the interviewer's
 * voice) and stores it through serve in parts; the interviewer records both voices alone, audio
 * only (no video is subscribed, decoded or encoded), as a witness. At the end it waits for the
 * page's last parts, joins the segments into the SPEC's H.264 + AAC MP4, stores it beside the
 * witness, compares the two, and completes the interview only when the page finished its
 * recording. A page that stopped early (the candidate vanished) leaves what it stored as a
 * playable partial MP4, and the interview fails with `recording_incomplete`.
 */
export function beginBrowserRecording(d: BrowserDeps): SessionRecording {
  const startedAt = d.startedAt ?? new Date();
  const keys = recordingKeys(d.interviewId, d.roomName, startedAt);
  const spool = join(d.spoolDir, d.interviewId);
  const witnessFile = join(spool, basename(keys.witness));
  let failed: string | undefined;
  const witness = new Recorder({
    storage: d.storage,
    key: keys.witness,
    spoolFile: witnessFile,
    audioOnly: true,
    onError: (err) => {
      d.log.error('audio witness failed', { error: err.message });
      failed = 'the audio witness could not be recorded';
      d.stopConversation();
    },
  });
  witness.start();
  // Held until the end: the witness's own lock goes once it is stored, and the join takes a while.
  const jobLock = spoolLockOf(browserJoinDirOf(spool));
  writeFileSync(jobLock, JSON.stringify(spoolLockOwner()));
  let witnessStored = false;
  /** A failed end leaves the spool to recovery: the witness when it is not stored, nothing else. */
  const releaseSpool = () => (witnessStored ? rm(spool, { recursive: true, force: true }) : rm(jobLock, { force: true })).catch(() => {});
  const started = markRecorderStarted(d, keys.video, "the candidate's page records; the interviewer keeps an audio witness").then((ok) => {
    if (ok) d.log.info('recording started', { recorder: 'browser' });
  });
  started.catch(() => {});
  // The witness hears the voices; the camera is the page's business.
  const media: MediaSink = {
    pushAgentAudio: (s) => witness.pushAgentAudio(s),
    clearAgentAudio: () => witness.clearAgentAudio(),
    pushCandidateAudio: (s) => witness.pushCandidateAudio(s),
    pushCandidateVideo: () => {},
    clearVideo: () => {},
  };

  /**
   * The page's segments once every one is complete; when the wait runs out, the ones left open
   * (the page went away, or a rejoined page that kept its previous segment open never finished
   * it) are closed first, and what they hold then is the answer.
   */
  async function waitForPage(): Promise<{ segments: StoredSegment[]; finished: boolean }> {
    const prefix = browserPartsPrefix(d.interviewId);
    const until = Date.now() + (d.pageWaitMs ?? 45_000);
    const pause = () => new Promise((r) => setTimeout(r, d.pollMs ?? 1000));
    let seen: StoredSegment[];
    for (;;) {
      seen = readSegments(await d.storage.list(prefix), prefix);
      if (seen.length > 0 && seen.every((s) => s.done)) return { segments: seen, finished: true };
      if (Date.now() >= until) break;
      await pause();
    }
    // Closed before their parts are read: serve then refuses a part that comes later (a page that
    // wakes up) rather than storing one the recording leaves out. serve looks for the mark again
    // once a part's body is in, so only a write already under way as it landed can follow it: the
    // listing a poll later takes that one too, and its mark is written again to say so.
    const mark = (s: StoredSegment) => d.storage.put(browserSegmentKeys(d.interviewId, s.segment).done, JSON.stringify({ parts: contiguousParts(s.parts).length, closedAt: new Date().toISOString(), closedBy: 'interviewer' }), 'application/json');
    const open = seen.filter((s) => s.hasManifest && !s.done);
    for (const s of open) await mark(s);
    if (open.length > 0) await pause();
    const segments = readSegments(await d.storage.list(prefix), prefix);
    for (const s of segments) {
      const was = open.find((o) => o.segment === s.segment);
      if (was && contiguousParts(s.parts).length !== contiguousParts(was.parts).length) await mark(s);
    }
    if (open.length > 0) d.log.info('browser recording segments closed', { segments: open.map((s) => s.segment), parts: segments.reduce((n, s) => n + contiguousParts(s.parts).length, 0) });
    return { segments, finished: false };
  }

  async function finish(): Promise<'completed' | 'failed'> {
    await started;
    const fail = async (error: string, why: string, patch: Record<string, string> = {}) => {
      recorderMetrics.uploadFailures.inc({ where: 'finalize' });
      d.log.error('browser recording could not be completed', { error: why });
      await releaseSpool();
      try {
        await d.interviews.applyEvent(d.interviewId, 'fail', { actor: 'agent', reason: why, patch: { error, end_reason: error, ...patch } });
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
      }
      return 'failed' as const;
    };
    try {
      await witness.stop();
      witnessStored = true;
    } catch (err) {
      return fail('recorder_failed', `the audio witness could not be stored: ${(err as Error).message}`);
    }
    await d.stopPageRecording().catch((err: unknown) => d.log.warn('could not tell the page to stop recording', { error: (err as Error).message }));
    const { segments, finished } = await waitForPage();
    const usable = segments.filter((s) => contiguousParts(s.parts).length > 0);
    if (usable.length === 0) return fail('recorder_failed', "the candidate's page stored no recording");
    const work = browserJoinDirOf(spool);
    try {
      await mkdir(work, { recursive: true });
      const files: string[] = [];
      const placed: { atMs: number; levels: number[] }[] = [];
      let gapMs = 0;
      let prevEnd: number | undefined;
      for (const s of usable) {
        const k = browserSegmentKeys(d.interviewId, s.segment);
        const manifest = JSON.parse((await d.storage.get(k.manifest)).toString('utf8')) as SegmentManifest;
        const file = join(work, `s${s.segment}.${manifest.mimeType.startsWith('video/webm') ? 'webm' : 'mp4'}`);
        const bodies: Buffer[] = [];
        for (const p of contiguousParts(s.parts)) bodies.push(await d.storage.get(k.part(p)));
        await writeFile(file, Buffer.concat(bodies));
        files.push(file);
        const levels = await audioLevels(file);
        const atMs = Date.parse(manifest.startedAt) - startedAt.getTime();
        if (prevEnd !== undefined) gapMs += Math.max(0, atMs - prevEnd);
        prevEnd = atMs + levels.length * LEVEL_WINDOW_MS;
        placed.push({ atMs, levels });
      }
      const out = join(work, 'recording.mp4');
      const leadMs = Math.max(0, -placed[0]!.atMs);
      const { videoCopied, lengthsMs } = await joinSegments(files, out, join(work, 'segments.txt'), leadMs);
      d.log.info('browser recording joined', { segments: files.length, video_copied: videoCopied, lead_ms: Math.round(leadMs), bytes: (await stat(out)).size });
      await d.storage.upload(keys.video, createReadStream(out), 'video/mp4');
      // The utterances were timed on the interviewer's clock, which ran on while the page was away;
      // the joined file has no such gap: each belongs where it is heard in the file. The transcript
      // is written so now; the rows move once the recording is the interview's (below), so that a
      // failure in between leaves them for reconcile to move, once.
      const at = toRecordingTime(placed.map((p, i) => ({ atMs: p.atMs, lengthMs: lengthsMs[i]! })));
      const onFile = { ...d.utterances, list: async (id: string) => (await d.utterances.list(id)).map((u) => ({ ...u, startMs: Math.round(at(u.startMs)), endMs: Math.round(at(u.endMs)) })) };
      const moveRows = async () => {
        const movedMs = await retimeUtterances(d.utterances, d.interviewId, at);
        if (movedMs > 0) d.log.info('utterances moved onto the joined recording', { moved_ms: Math.round(movedMs) });
      };
      // A page that stopped early (the candidate vanished) is shorter than the witness by nature:
      // its speech is compared, not its length.
      const check = compareWithWitness({ segments: placed, witness: { levels: await audioLevels(witnessFile) }, gapMs, partial: !finished });
      await d.saveCheck({ ...check, witnessKey: keys.witness }).catch((err: unknown) => d.log.warn('could not store the witness check', { error: (err as Error).message }));
      if (!check.agrees) {
        d.log.warn('recording disagrees with its audio witness', { speech_without_witness_s: check.speechWithoutWitnessS, recording_ms: check.recordingMs, witness_ms: check.witnessMs });
        await d.interviews.note(d.interviewId, { actor: 'agent', reason: `recording disagrees with its audio witness: ${check.detail}` }).catch(() => {});
      }
      // The transcript's offsets are the joined file's now, and so is its length.
      const count = await storeTranscript({ ...d, utterances: onFile, startedAt, keys }, { durationMs: lengthsMs.reduce((a, b) => a + b, 0), recordingKey: keys.video });
      await assertStored(d.storage, [keys.video, keys.witness, keys.transcript, keys.vtt]);
      const stored = { recording_key: keys.video, transcript_key: keys.transcript, vtt_key: keys.vtt };
      await rm(spool, { recursive: true, force: true }).catch(() => {});
      if (!finished) {
        const storedS = Math.round(check.recordingMs / 1000);
        const outcome = await fail('recording_incomplete', `the candidate's page stopped before its recording was complete; the ${storedS} s it stored are kept`, stored);
        await moveRows();
        return outcome;
      }
      await d.interviews.applyEvent(d.interviewId, 'finalized', { actor: 'agent', reason: 'browser recording, audio witness and transcript stored', patch: stored });
      await moveRows();
      d.log.info('interview completed', { utterances: count, recorder: 'browser', witness_agrees: check.agrees });
      return 'completed';
    } catch (err) {
      return fail('recorder_failed', `the browser recording could not be stored: ${(err as Error).message}`);
    }
  }

  return {
    mode: 'browser',
    offsetMs: (at) => witness.offsetMs(at),
    media,
    started,
    beforeSpeaking: Promise.resolve(),
    failure: () => failed,
    markEnd: () => witness.markEnd(),
    finish,
    abandon: async () => {
      await witness.kill();
      await releaseSpool();
    },
  };
}

