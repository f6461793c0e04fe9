import { createReadStream, existsSync, readdirSync, readFileSync, rmdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { InterviewRepo } from '../cli/adapters/db/interviews.js';
import type { UtteranceRepo } from '../cli/adapters/db/utterances.js';
import { recorderMetrics } from '../cli/metrics/agent-metrics.js';
import { removeQuietly, type ObjectStorage } from '../cli/adapters/storage/storage.js';
import { ConflictError, NotFoundError } from '../cli/core/errors.js';
import { isInterviewId } from '../cli/core/ids.js';
import { transcriptJson, transcriptVtt } from '../cli/core/transcript.js';
import type { Logger } from '../cli/log.js';
import { browserJoinDirOf, processStat, spoolLockOf } from './recorder/recorder.js';
import { audioCodecOf, remuxWhole, saysUnreadable } from './recording/browser-media.js';

/** RECORDER=browser: how the interviewer's audio witness spool is named (recordingKeys → witness). */
const WITNESS_SUFFIX = '.witness.m4a';

/** What happened to one spooled recording. */
export interface SpoolOutcome {
  interviewId: string;
  /** The interview's status when the spool was found. */
  status: string;
  key: string;
  result: 'stored' | 'would_store' | 'dropped' | 'would_drop' | 'failed';
  detail: string;
  error: string | null;
}

export interface RecoverSpoolDeps {
  spoolDir: string;
  storage: ObjectStorage;
  interviews: InterviewRepo;
  utterances: UtteranceRepo;
  log?: Logger;
  /** Who the event log names (`agent` at worker start, `reconcile` from the CLI). */
  actor?: string;
  /** Report what would be done, change nothing. */
  dryRun?: boolean;
  onOutcome?(o: SpoolOutcome): void;
  /**
   * RECORDER=browser: once a dead job's audio witness is stored, compares it with the partial
   * recording reconcile made from the page's parts before the witness was there
   * (checkPartialRecording); what it found, or undefined when there was nothing to compare.
   */
  compareWitness?(interviewId: string): Promise<string | undefined>;
}

/** True while the recorder that wrote this spool still runs (its lock names a live process here). */
export function spoolInUse(file: string): boolean {
  let owner: { pid?: unknown; host?: unknown; started?: unknown };
  try {
    owner = JSON.parse(readFileSync(spoolLockOf(file), 'utf8'));
  } catch {
    return false; // no lock: the recorder finished with it, or died before writing one
  }
  // Another machine's recorder (a shared folder): we cannot tell, so it is not ours to take.
  if (owner.host !== hostname()) return true;
  if (typeof owner.pid !== 'number') return false;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const stat = processStat(owner.pid);
  if (!stat) return true; // alive, and no /proc to say more
  // A killed job can linger as a zombie until its parent reaps it; a reused pid started later.
  if (stat.state === 'Z' || stat.state === 'X') return false;
  return typeof owner.started !== 'string' || owner.started === stat.started;
}

/** True while a witness spool's job runs: its witness's lock, or the job's own (held through the join), names a live process. */
const witnessInUse = (file: string) => spoolInUse(file) || spoolInUse(browserJoinDirOf(join(file, '..')));

async function forget(file: string): Promise<void> {
  if (file.endsWith(WITNESS_SUFFIX)) {
    // The dead job's join folder and lock, and a half-made playable copy, go with its witness.
    const joinDir = browserJoinDirOf(join(file, '..'));
    await rm(joinDir, { recursive: true, force: true });
    await removeQuietly(spoolLockOf(joinDir));
    await removeQuietly(wholeCopyOf(file));
  }
  await removeQuietly(file);
  await removeQuietly(spoolLockOf(file));
  try {
    rmdirSync(join(file, '..')); // only when empty
  } catch {
    // other files remain, or it is gone already
  }
}

/** Fails a live interview whose interviewer died; false when it is no longer live. */
async function failCrashed(interviews: InterviewRepo, id: string, actor: string, patch: Record<string, string | null>, reason: string): Promise<boolean> {
  try {
    await interviews.applyEvent(id, 'fail', { actor, reason, patch: { error: 'agent_crashed', end_reason: 'agent_crashed', ...patch } });
    return true;
  } catch (err) {
    if (err instanceof ConflictError) return false;
    throw err;
  }
}

/**
 * Stores recordings left in the local spool: a job process that died (the agent was killed) leaves
 * a fragmented MP4 playable up to its last fragment, and a storage failure leaves the whole
 * session. Each one whose writer is gone is uploaded to its key with a transcript of what was
 * logged. An interview still live is failed with `agent_crashed`; one already `failed` (e.g.
 * `recorder_failed`) keeps its status and gets the keys. Spools of completed interviews are
 * dropped. Safe to run at any time: spools a live recorder holds are left alone. A spool that
 * cannot be stored (storage still down) stays for the next try.
 */
export async function recoverSpool(deps: RecoverSpoolDeps): Promise<number> {
  const { spoolDir, storage, interviews, utterances, log, actor = 'agent' } = deps;
  if (!existsSync(spoolDir)) return 0;
  let recovered = 0;
  for (const id of readdirSync(spoolDir)) {
    if (!isInterviewId(id)) continue;
    const dir = join(spoolDir, id);
    let files: string[];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith('.mp4') || f.endsWith(WITNESS_SUFFIX));
    } catch {
      continue;
    }
    for (const file of files) {
      const path = join(dir, file);
      const key = `recordings/${id}/${file}`;
      const isWitness = file.endsWith(WITNESS_SUFFIX);
      if (isWitness ? witnessInUse(path) : spoolInUse(path)) continue;
      let status = 'unknown';
      const emit = (result: SpoolOutcome['result'], detail: string, error: string | null = null) => deps.onOutcome?.({ interviewId: id, status, key, result, detail, error });
      try {
        let interview;
        try {
          interview = await interviews.get(id);
        } catch (err) {
          if (err instanceof NotFoundError) continue;
          throw err;
        }
        status = interview.status;
        if (interview.deletedAt) {
          // The candidate's data was deleted: storing this copy would bring it back.
          if (!deps.dryRun) await rm(dir, { recursive: true, force: true });
          emit(deps.dryRun ? 'would_drop' : 'dropped', "the candidate's data was deleted; the spooled copy is deleted too");
          break;
        }
        if (interview.status === 'completed') {
          if (!deps.dryRun) await forget(path);
          emit(deps.dryRun ? 'would_drop' : 'dropped', 'interview completed; the leftover spool is not needed');
          continue;
        }
        if (deps.dryRun) {
          emit('would_store', isWitness ? `would store the spooled audio witness (${statSync(path).size} bytes)` : `would upload the spooled recording (${statSync(path).size} bytes) and its transcript`);
          continue;
        }
        if (isWitness) {
          const r = await storeWitness(deps, id, path, key);
          if (r.result === 'stored') recovered++;
          emit(r.result, r.detail);
          log?.warn(r.result === 'stored' ? 'spooled audio witness stored' : 'spooled audio witness dropped', { interview_id: id, key, was: status });
          continue;
        }
        if ((await storage.size(key)) === undefined) {
          if (statSync(path).size === 0) {
            // The job died before ffmpeg wrote anything: there is no recording to keep.
            await failCrashed(interviews, id, actor, { recording_key: null }, 'interviewer stopped before anything was recorded');
            await forget(path);
            emit('dropped', 'empty spool (the interviewer stopped before anything was recorded)');
            continue;
          }
          await storage.upload(key, createReadStream(path), 'video/mp4');
        }
        const keys = { recording_key: key, transcript_key: key.replace(/\.mp4$/, '.transcript.json'), vtt_key: key.replace(/\.mp4$/, '.vtt') };
        const list = await utterances.list(id);
        const startedAt = interview.recordingStartedAt ?? interview.usedAt ?? new Date();
        const durationMs = list.reduce((m, u) => Math.max(m, u.endMs), 0);
        await storage.put(keys.transcript_key, transcriptJson({ interviewId: id, roomName: `interview-${id}`, recordingStartedAt: startedAt, durationMs, lang: interview.lang, speechMode: 'unknown', recordingKey: key }, list), 'application/json');
        await storage.put(keys.vtt_key, transcriptVtt(list), 'text/vtt');
        let detail = 'the interviewer had stopped mid-interview: partial recording and transcript stored, interview failed (agent_crashed)';
        if (!(await failCrashed(interviews, id, actor, keys, 'interviewer stopped mid-interview; partial recording kept'))) {
          // Already failed (e.g. recorder_failed): the status stays, the keys say where it all is.
          await interviews.attachRecording(id, keys, { actor, reason: 'recording and transcript stored from the agent spool' });
          detail = 'recording and transcript stored from the spool';
        }
        await forget(path);
        recovered++;
        emit('stored', detail);
        log?.warn('spooled recording stored', { interview_id: id, key, was: status });
      } catch (err) {
        emit('failed', 'spool kept for the next try', (err as Error).message);
        if (!deps.dryRun) recorderMetrics.uploadFailures.inc({ where: 'spool' });
        log?.error('spooled recording could not be stored; kept for the next try', { interview_id: id, error: (err as Error).message });
      }
    }
  }
  return recovered;
}

const wholeCopyOf = (file: string) => `${file}.whole`;

/**
 * RECORDER=browser: a dead job's audio witness, stored at its key (SPEC 6: beside the recording),
 * rewritten first as a plain M4A (a killed ffmpeg leaves its last fragment cut). A live interview
 * is failed with `agent_crashed`, its recording key kept: the page's parts become its partial
 * recording (reconcile). One that has that partial recording already is compared with the witness.
 */
async function storeWitness(deps: RecoverSpoolDeps, id: string, path: string, key: string): Promise<{ result: 'stored' | 'dropped'; detail: string }> {
  const { storage, interviews, actor = 'agent' } = deps;
  const crashed = () => failCrashed(interviews, id, actor, {}, "interviewer stopped mid-interview; its audio witness is kept and the page's parts become the partial recording");
  const before = (await storage.size(key)) !== undefined;
  if (!before) {
    const whole = wholeCopyOf(path);
    let body = whole;
    try {
      await remuxWhole(path, whole);
    } catch (err) {
      await removeQuietly(whole);
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        // Dropped only when ffprobe reads no audio in it (the job died before the first fragment);
        // a failed remux of a readable witness (a full disk) keeps it for the next sweep.
        if (!(await holdsNoAudio(path))) throw err;
        await crashed();
        await forget(path);
        return { result: 'dropped', detail: 'the audio witness spool holds nothing playable (the interviewer stopped before it recorded anything)' };
      }
      body = path; // no ffmpeg here: as written, it plays up to its last whole fragment
    }
    try {
      await storage.upload(key, createReadStream(body), 'audio/mp4');
    } finally {
      await removeQuietly(whole);
    }
  }
  let detail: string;
  if (await crashed()) detail = "the interviewer had stopped mid-interview: audio witness stored, interview failed (agent_crashed); the page's parts become its partial recording";
  else if (before) detail = 'the audio witness was in storage already; the spooled copy is removed';
  else {
    await interviews.note(id, { actor, reason: 'audio witness stored from the agent spool' });
    detail = 'audio witness stored from the spool';
  }
  const compared = await deps.compareWitness?.(id);
  if (compared) detail += `; the partial recording made from the page's parts ${compared}`;
  await forget(path);
  return { result: 'stored', detail };
}

/** ffprobe read the file and found no audio in it (not: ffprobe could not run). */
async function holdsNoAudio(path: string): Promise<boolean> {
  try {
    return (await audioCodecOf(path)) === undefined;
  } catch (err) {
    if (saysUnreadable(err)) return true;
    throw err;
  }
}
