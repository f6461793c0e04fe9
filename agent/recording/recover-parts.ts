import { spawnSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InterviewRepo } from '../../cli/adapters/db/interviews.js';
import type { RecordingCheck } from '../../cli/adapters/db/recorder-stats.js';
import type { UtteranceRepo } from '../../cli/adapters/db/utterances.js';
import type { ObjectStorage } from '../../cli/adapters/storage/storage.js';
import { contiguousParts, readSegments, toRecordingTime, type SegmentManifest, type StoredSegment, type WitnessCheck } from '../../cli/core/browser-recording.js';
import { roomNameFor } from '../../cli/core/ids.js';
import type { Interview } from '../../cli/core/interview.js';
import { browserPartsPrefix, browserSegmentKeys, recordingKeys, witnessKeyFor } from '../../cli/core/keys.js';
import { planLeftParts, whyNotAsRecorded } from '../../cli/core/left-parts.js';
import { assertStored, storeTranscript } from '../finalize.js';
import { audioCodecOf, durationMsOf, joinSegments, saysUnreadable, videoCodecOf } from './browser-media.js';
import { retimeUtterances } from './retime.js';
import { compareFilesWithWitness } from './witness-check.js';

/** What became of one interview's parts. */
export interface PartsOutcome {
  result: 'stored' | 'would_store' | 'dropped' | 'would_drop' | 'kept';
  detail: string;
  /** Why nothing was done (`kept`): ffmpeg is needed and not here. */
  error: string | null;
}

export interface RecoverPartsDeps {
  storage: ObjectStorage;
  interviews: InterviewRepo;
  utterances: UtteranceRepo;
  /** A folder for the segments and the join (removed afterwards). */
  workDir: string;
  actor: string;
  /** Whether ffmpeg runs here (default: asked once, on first need). */
  hasFfmpeg?: () => boolean;
  /**
   * Where the comparison with the interviewer's audio witness is kept (RecorderStatsRepo); absent:
   * partial recordings are not compared.
   */
  checks?: { recordingCheck(id: string): Promise<RecordingCheck | null>; setRecordingCheck(id: string, check: RecordingCheck): Promise<void> };
}

/** One of the page's segments, read from storage into a file. */
interface SegmentFile {
  file: string;
  segment: StoredSegment;
  manifest: SegmentManifest;
}

let ffmpegHere: boolean | undefined;
// ffprobe too: the join reads each segment with it first (static ffmpeg builds may come without).
const ffmpegOnPath = () => (ffmpegHere ??= ['ffmpeg', 'ffprobe'].every((tool) => spawnSync(tool, ['-hide_banner', '-version'], { stdio: 'ignore' }).status === 0));

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/**
 * RECORDER=browser: the parts the candidate's page stored for an interview that ended `failed`
 * without a recording (its interviewer's job died, or could not join them), made into the partial
 * recording the page's parts allow: joined as the interviewer would (H.264 + AAC MP4, with
 * ffmpeg), or, where ffmpeg is missing, one segment stored byte for byte as the page recorded it.
 * The recording and a transcript of what was logged go to the interview's keys, its segments left
 * open are closed, and the interview keeps its status and error, with a note saying what was
 * stored. Parts that make no recording (no first part, or nothing ffprobe can read) are deleted.
 * Undefined when the page stored nothing. Throws when storage fails (nothing is lost: the parts stay).
 */
export async function recoverBrowserParts(d: RecoverPartsDeps, i: Interview, dryRun: boolean): Promise<PartsOutcome | undefined> {
  const prefix = browserPartsPrefix(i.id);
  const listing = await d.storage.list(prefix);
  const plan = planLeftParts(readSegments(listing, prefix));
  if (plan.kind === 'none') return undefined;
  const drop = async (why: string): Promise<PartsOutcome> => {
    const keys = listing.filter((o) => o.key.startsWith(prefix)).map((o) => o.key);
    if (dryRun) return { result: 'would_drop', detail: `the page's ${keys.length} stored object(s) make no recording: ${why}`, error: null };
    for (const key of keys) await d.storage.remove(key);
    await d.interviews.note(i.id, { actor: d.actor, reason: `the candidate's page left parts that make no recording (${why}); deleted` });
    return { result: 'dropped', detail: `the page's ${keys.length} stored object(s) made no recording (${why}) and are deleted`, error: null };
  };
  if (plan.kind === 'drop') return drop(plan.why);

  const manifests: SegmentManifest[] = [];
  for (const s of plan.segments) manifests.push(JSON.parse((await d.storage.get(browserSegmentKeys(i.id, s.segment).manifest)).toString('utf8')) as SegmentManifest);
  const ffmpeg = (d.hasFfmpeg ?? ffmpegOnPath)();
  const notAsRecorded = ffmpeg ? undefined : whyNotAsRecorded(manifests);
  const what = `${plan.segments.length} segment(s), ${plan.parts} part(s), ${plan.bytes} bytes`;
  if (notAsRecorded) {
    return { result: 'kept', detail: `the page's ${what} kept for a run with ffmpeg`, error: `ffmpeg is not on PATH here: ${notAsRecorded}; run \`interviewctl reconcile\` where ffmpeg is installed` };
  }
  if (dryRun) {
    const witness = ffmpeg && d.checks && (await d.storage.size(witnessKeyFor(i.recordingKey) ?? '')) !== undefined ? ', compared with its audio witness' : '';
    return { result: 'would_store', detail: `the page's ${what} would make a partial recording${ffmpeg ? '' : ' (as recorded: no ffmpeg here)'}${witness}; the interview stays failed`, error: null };
  }

  // A folder of its own: serve's sweep and an operator's reconcile may run on one machine at once.
  await mkdir(d.workDir, { recursive: true });
  const work = await mkdtemp(join(d.workDir, `${i.id}-`));
  try {
    const files = await readSegmentFiles(d.storage, i.id, plan.segments, manifests, work);
    const playable = ffmpeg ? await keepPlayable(files) : files;
    if (playable.length === 0) return drop('no segment is readable media');

    const pageStart = new Date(playable[0]!.manifest.startedAt);
    const startedAt = i.recordingStartedAt ?? pageStart;
    const key = i.recordingKey?.endsWith('.mp4') ? i.recordingKey : recordingKeys(i.id, roomNameFor(i.id), startedAt).video;
    const keys = { video: key, transcript: key.replace(/\.mp4$/, '.transcript.json'), vtt: key.replace(/\.mp4$/, '.vtt') };
    // What the page recorded before the interviewer's clock (the utterances') began.
    const leadMs = Math.max(0, startedAt.getTime() - pageStart.getTime());
    let out: string;
    let how: string;
    let at: (ms: number) => number;
    if (ffmpeg) {
      out = join(work, 'recording.mp4');
      // The lead is cut, as the interviewer cuts it; each segment plays after the one before.
      const { videoCopied, lengthsMs } = await joinSegments(playable.map((f) => f.file), out, join(work, 'segments.txt'), leadMs);
      at = toRecordingTime(playable.map((f, n) => ({ atMs: Date.parse(f.manifest.startedAt) - startedAt.getTime(), lengthMs: lengthsMs[n]! })));
      how = `H.264 + AAC${videoCopied ? '' : ', video encoded'}`;
    } else {
      // One segment, lead and all: what was said is that much later in the file.
      out = playable[0]!.file;
      at = (ms) => ms + leadMs;
      how = `as the page recorded it (${playable[0]!.manifest.mimeType}; no ffmpeg here to convert the audio to AAC)`;
    }
    const lengthMs = ffmpeg ? await durationMsOf(out) : undefined;
    await d.storage.upload(keys.video, createReadStream(out), 'video/mp4');
    // The transcript's offsets are the stored file's, as the interviewer's own join leaves them;
    // the utterances themselves move only once the recording is the interview's (below), so a
    // sweep that stops half-way and runs again does not move them twice.
    const onFile: UtteranceRepo = { ...d.utterances, list: async (id) => (await d.utterances.list(id)).map((u) => ({ ...u, startMs: Math.round(at(u.startMs)), endMs: Math.round(at(u.endMs)) })) };
    await storeTranscript(
      { interviewId: i.id, roomName: roomNameFor(i.id), lang: i.lang, speechMode: 'unknown', startedAt, storage: d.storage, utterances: onFile, keys },
      { durationMs: lengthMs ?? 0, recordingKey: keys.video },
    );
    await assertStored(d.storage, [keys.video, keys.transcript, keys.vtt]);
    // Its uploads are over: a segment left open is closed, as serve closes one a reload left.
    const closedAt = new Date().toISOString();
    for (const s of plan.segments) {
      if (!s.done) await d.storage.put(browserSegmentKeys(i.id, s.segment).done, JSON.stringify({ parts: contiguousParts(s.parts).length, closedAt, closedBy: d.actor }), 'application/json');
    }
    const length = lengthMs === undefined ? `${(await stat(out)).size} bytes` : seconds(lengthMs);
    const skipped = files.length - playable.length;
    const body = `${length}, ${playable.length} segment(s)${skipped > 0 ? `, ${skipped} unreadable left out` : ''}, ${how}`;
    const reason = `partial recording (${body}) joined from the parts the candidate's page stored; the interview stays failed (${i.error ?? 'no error recorded'})`;
    const attached = await d.interviews.attachRecording(i.id, { recording_key: keys.video, transcript_key: keys.transcript, vtt_key: keys.vtt }, { actor: d.actor, reason }, { onlyIfNone: true });
    if (!attached) {
      // Another sweep attached its own, or the candidate's data was deleted meanwhile: what this
      // one uploaded is nobody's recording (and must not outlive a deletion).
      const now = await d.interviews.get(i.id).catch(() => undefined);
      if (!now || now.deletedAt || now.recordingKey !== keys.video || now.transcriptKey !== keys.transcript) {
        for (const k of [keys.video, keys.transcript, keys.vtt]) await d.storage.remove(k).catch(() => {});
      }
      return { result: 'kept', detail: 'stored, but the interview was given its recording (or its data deleted) meanwhile', error: 'moved by someone else meanwhile' };
    }
    await retimeUtterances(d.utterances, i.id, at);
    const check = ffmpeg ? await saveWitnessCheck(d, i.id, witnessKeyFor(keys.video)!, playable, startedAt, work) : undefined;
    return { result: 'stored', detail: `${body}, joined from the page's parts, at ${keys.video}${check ? `; ${check}` : ''}; the interview stays failed`, error: null };
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => {});
  }
}

/**
 * The witness check of a partial recording reconcile made from the page's parts before the
 * interviewer's audio witness was in storage (a dead job's spool stored it later): the parts are
 * read again and compared with it. Undefined when there is nothing to compare here: no partial
 * recording yet (the parts step compares it when it makes one), a check saved already, no parts
 * that play, no ffmpeg. What it found, for the outcome, otherwise.
 */
export async function checkPartialRecording(d: RecoverPartsDeps, i: Interview): Promise<string | undefined> {
  const witnessKey = witnessKeyFor(i.recordingKey);
  if (!d.checks || !i.transcriptKey || !witnessKey || !(d.hasFfmpeg ?? ffmpegOnPath)()) return undefined;
  if (await d.checks.recordingCheck(i.id)) return undefined;
  const prefix = browserPartsPrefix(i.id);
  const plan = planLeftParts(readSegments(await d.storage.list(prefix), prefix));
  if (plan.kind !== 'store') return undefined;
  const manifests: SegmentManifest[] = [];
  for (const s of plan.segments) manifests.push(JSON.parse((await d.storage.get(browserSegmentKeys(i.id, s.segment).manifest)).toString('utf8')) as SegmentManifest);
  await mkdir(d.workDir, { recursive: true });
  const work = await mkdtemp(join(d.workDir, `${i.id}-`));
  try {
    const playable = await keepPlayable(await readSegmentFiles(d.storage, i.id, plan.segments, manifests, work));
    if (playable.length === 0) return undefined;
    return await saveWitnessCheck(d, i.id, witnessKey, playable, i.recordingStartedAt ?? new Date(playable[0]!.manifest.startedAt), work);
  } finally {
    await rm(work, { recursive: true, force: true }).catch(() => {});
  }
}

/** Each segment's contiguous parts from part 1, one file per segment in `work`. */
async function readSegmentFiles(storage: ObjectStorage, id: string, segments: StoredSegment[], manifests: SegmentManifest[], work: string): Promise<SegmentFile[]> {
  const files: SegmentFile[] = [];
  for (const [n, s] of segments.entries()) {
    const manifest = manifests[n]!;
    const file = join(work, `s${s.segment}.${manifest.mimeType.startsWith('video/webm') ? 'webm' : 'mp4'}`);
    const k = browserSegmentKeys(id, s.segment);
    const bodies: Buffer[] = [];
    for (const p of contiguousParts(s.parts)) bodies.push(await storage.get(k.part(p)));
    await writeFile(file, Buffer.concat(bodies));
    files.push({ file, segment: s, manifest });
  }
  return files;
}

/**
 * Compares the partial recording's segments with the interviewer's audio witness, when it is in
 * storage, and saves the check (`show` and the report flag a disagreement, and a note says it).
 * Lengths are not compared: a crash cut one or the other short. A witness that cannot be read is
 * said, not thrown: the recording is the interview's already.
 */
async function saveWitnessCheck(d: RecoverPartsDeps, id: string, witnessKey: string, segments: SegmentFile[], startedAt: Date, work: string): Promise<string | undefined> {
  if (!d.checks) return undefined;
  let check: WitnessCheck;
  try {
    if ((await d.storage.size(witnessKey)) === undefined) return 'no audio witness stored (yet) to compare it with';
    const file = join(work, 'witness.m4a');
    await writeFile(file, await d.storage.get(witnessKey));
    check = await compareFilesWithWitness(segments.map((s) => ({ file: s.file, startedAt: s.manifest.startedAt })), startedAt, file, { partial: true });
    await d.checks.setRecordingCheck(id, { ...check, witnessKey });
  } catch (err) {
    return `not compared with its audio witness: ${(err as Error).message}`;
  }
  if (check.agrees) return check.detail;
  await d.interviews.note(id, { actor: d.actor, reason: `partial recording disagrees with its audio witness: ${check.detail}` }).catch(() => {});
  return `DISAGREES with its audio witness: ${check.detail}`;
}

/** The segments ffprobe reads as media with some length (a page's garbage or a cut header is not). */
async function keepPlayable<T extends { file: string }>(files: T[]): Promise<T[]> {
  const out: T[] = [];
  for (const f of files) {
    try {
      const [video, audio] = await Promise.all([videoCodecOf(f.file), audioCodecOf(f.file)]);
      if (video || audio) out.push(f);
    } catch (err) {
      // ffprobe read it and said it is not media: left out. One that could not run (missing,
      // killed) says nothing about the file: the parts stay for the next sweep.
      if (!saysUnreadable(err)) throw err;
    }
  }
  return out;
}
