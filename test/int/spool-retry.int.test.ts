// Retrying recordings kept in the agent's spool, against real Postgres and a local-folder storage:
// a spool its recorder still writes is left alone (also when that recorder is this process), a
// dead writer's (or a zombie's) is taken; an interview already failed keeps its status and gets
// the keys; storage still down keeps the spool; reconcile reports each one. RECORDER=browser's
// audio witness spool of a dead job is stored (made whole first) at the witness key and removed.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recoverSpool, spoolInUse, type SpoolOutcome } from '../../agent/recover-spool.js';
import { browserJoinDirOf, processStat, spoolLockOf, spoolLockOwner } from '../../agent/recorder/recorder.js';
import type { InterviewRepo } from '../../cli/adapters/db/interviews.js';
import type { UtteranceRepo } from '../../cli/adapters/db/utterances.js';
import { createLocalStorage, type ObjectStorage } from '../../cli/adapters/storage/storage.js';
import { UnavailableError } from '../../cli/core/errors.js';
import type { Status } from '../../cli/core/states.js';
import { reconcile, type ReconcileOutcome } from '../../cli/use-cases/reconcile.js';
import { makeNewInterview } from './helpers/builders.js';
import { makeWitness, probeMedia } from './helpers/witness-media.js';
import { openAgentWorkspace, type AgentWorkspace } from './helpers/agent-workspace.js';
import type { TestDatabase } from './helpers/db.js';

let db: TestDatabase;
let interviews: InterviewRepo;
let utterances: UtteranceRepo;
let dir: string;

let ws: AgentWorkspace | undefined;
beforeAll(async () => {
  ws = await openAgentWorkspace('spool-int');
  ({ db, interviews, utterances, dir } = ws);
});
afterAll(() => ws?.close());

async function interviewIn(status: Status, error: string | null = null): Promise<string> {
  const row = makeNewInterview();
  await interviews.insertMany([row]);
  await db.sql`update interviews set status = ${status}, error = ${error}, used_at = now() - interval '1 minute', recording_started_at = now() - interval '50 seconds' where id = ${row.id}`;
  await utterances.add(row.id, { seq: 0, speaker: 'agent', kind: 'greeting', questionIndex: null, text: 'Hello', startMs: 100, endMs: 2000 });
  return row.id;
}

/** A spooled MP4 for `id` in its own spool folder, optionally with a recorder's lock. */
function spool(id: string, lock?: object): { spoolDir: string; file: string; key: string } {
  const spoolDir = join(dir, `spool-${id}`);
  mkdirSync(join(spoolDir, id), { recursive: true });
  const name = `20261122T030000Z_interview-${id}.mp4`;
  const file = join(spoolDir, id, name);
  writeFileSync(file, 'fragmented mp4 bytes');
  if (lock) writeFileSync(spoolLockOf(file), JSON.stringify(lock));
  return { spoolDir, file, key: `recordings/${id}/${name}` };
}

const run = async (spoolDir: string, storage: ObjectStorage) => {
  const outcomes: SpoolOutcome[] = [];
  await recoverSpool({ spoolDir, storage, interviews, utterances, actor: 'reconcile', onOutcome: (o) => outcomes.push(o) });
  return outcomes;
};

describe('spool retry', () => {
  it('leaves alone a spool whose recorder is alive (here: this very process)', async () => {
    const id = await interviewIn('recording');
    const s = spool(id, spoolLockOwner());
    expect(spoolInUse(s.file)).toBe(true);
    expect(await run(s.spoolDir, createLocalStorage(join(dir, 'store-live')))).toEqual([]);
    expect((await interviews.get(id)).status).toBe('recording');
    expect(existsSync(s.file)).toBe(true);
  });

  it('takes the spool of a dead or zombie writer, or a reused pid, and fails the live interview (agent_crashed)', async () => {
    // A zombie: a forked child exits and its parent never reaps it. (With `sh -c 'true & …; exec
    // sleep'` the shell could reap `true` itself before the exec when the machine was busy.)
    const parent = spawn('perl', ['-e', '$| = 1; my $p = fork // die; exit 0 unless $p; print "$p\\n"; sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
    try {
      const zombie = Number(await new Promise<string>((resolve) => parent.stdout.once('data', (d: Buffer) => resolve(d.toString()))));
      // The parent outlives the test (killed below): on a loaded machine 5 s of sleep was not enough.
      for (let i = 0; i < 200 && processStat(zombie)?.state !== 'Z'; i++) await new Promise((r) => setTimeout(r, 50));
      expect(processStat(zombie)?.state).toBe('Z');
      expect(spoolInUse(spool('z'.repeat(22), { pid: zombie, host: hostname(), started: processStat(zombie)!.started }).file)).toBe(false);
    } finally {
      parent.kill('SIGKILL');
    }
    const dead = { pid: 2 ** 22 + 17, host: hostname(), started: '1' };
    const reused = { ...spoolLockOwner(), started: '1' };
    for (const lock of [dead, reused]) expect(spoolInUse(spool('x'.repeat(22), lock).file)).toBe(false);
    const id = await interviewIn('recording');
    const s = spool(id, dead);
    const storage = createLocalStorage(join(dir, 'store-dead'));
    const outcomes = await run(s.spoolDir, storage);
    expect(outcomes).toEqual([expect.objectContaining({ interviewId: id, status: 'recording', result: 'stored', error: null })]);
    expect(await interviews.get(id)).toMatchObject({ status: 'failed', error: 'agent_crashed', recordingKey: s.key, transcriptKey: s.key.replace(/\.mp4$/, '.transcript.json') });
    expect((await storage.get(s.key)).toString()).toBe('fragmented mp4 bytes');
    expect(existsSync(join(s.spoolDir, id)), 'the emptied spool folder is removed').toBe(false);
  });

  it('keeps the spool while storage is down, then stores it for a failed interview without changing its status', async () => {
    const id = await interviewIn('failed', 'recorder_failed');
    const s = spool(id);
    const good = createLocalStorage(join(dir, 'store-later'));
    const down: ObjectStorage = { ...good, size: async () => Promise.reject(new UnavailableError('storage', 'connection refused')) };
    expect(await run(s.spoolDir, down)).toEqual([expect.objectContaining({ interviewId: id, result: 'failed', error: 'connection refused' })]);
    expect(existsSync(s.file)).toBe(true);

    const emitted: ReconcileOutcome[] = [];
    const deps = {
      interviews,
      roomParticipants: async () => undefined,
      objectExists: async () => false,
      agentSeen: async () => true,
      redispatchedAt: async () => null,
      redispatch: async () => false,
      retrySpools: async (dryRun: boolean, report: (o: SpoolOutcome) => void) => {
        await recoverSpool({ spoolDir: s.spoolDir, storage: good, interviews, utterances, actor: 'reconcile', dryRun, onOutcome: report });
      },
    };
    const dry = await reconcile(deps, { dryRun: true }, (o) => emitted.push(o));
    expect(emitted.filter((o) => o.id === id)).toEqual([expect.objectContaining({ action: 'upload_spool', applied: false })]);
    expect(dry.spoolsKept).toBe(0);
    expect(existsSync(s.file)).toBe(true);

    emitted.length = 0;
    const summary = await reconcile(deps, { dryRun: false }, (o) => emitted.push(o));
    expect(emitted.filter((o) => o.id === id)).toEqual([expect.objectContaining({ action: 'upload_spool', applied: true, status: 'failed' })]);
    expect(summary.spoolsKept).toBe(0);
    expect(await interviews.get(id)).toMatchObject({ status: 'failed', error: 'recorder_failed', recordingKey: s.key, vttKey: s.key.replace(/\.mp4$/, '.vtt') });
    const notes = await db.sql<{ actor: string; reason: string }[]>`select actor, reason from interview_events where interview_id = ${id} and from_status = to_status`;
    expect(notes).toEqual([{ actor: 'reconcile', reason: 'recording and transcript stored from the agent spool' }]);
    expect(await good.size(s.key.replace(/\.mp4$/, '.transcript.json'))).toBeGreaterThan(0);
    expect(existsSync(s.file)).toBe(false);
  });
});

describe("spool retry: a RECORDER=browser interviewer's audio witness", () => {
  const dead = { pid: 2 ** 22 + 23, host: hostname(), started: '1' };

  /** The witness spool a job killed mid-interview leaves: its last fragment cut, its lock and the join's naming a dead process. */
  function witnessSpool(id: string, joinLock: object = dead) {
    const spoolDir = join(dir, `wspool-${id}`);
    const folder = join(spoolDir, id);
    mkdirSync(join(folder, 'browser'), { recursive: true });
    const name = `20261122T030000Z_interview-${id}.witness.m4a`;
    const file = join(folder, name);
    const whole = makeWitness(join(dir, `w-${id}.m4a`), 11, true);
    writeFileSync(file, whole.subarray(0, Math.round(whole.length * 0.6))); // ffmpeg killed mid-fragment
    writeFileSync(spoolLockOf(file), JSON.stringify(dead));
    writeFileSync(join(folder, 'browser', 's1.mp4'), 'a segment the dead job was joining');
    writeFileSync(spoolLockOf(browserJoinDirOf(folder)), JSON.stringify(joinLock));
    return { spoolDir, folder, file, key: `recordings/${id}/${name}` };
  }

  it("is stored whole at the witness key and removed with the dead job's join folder; the interview fails (agent_crashed) keeping its recording key", async () => {
    const id = await interviewIn('recording');
    const recordingKey = `recordings/${id}/20261122T030000Z_interview-${id}.mp4`;
    await db.sql`update interviews set recording_key = ${recordingKey} where id = ${id}`;
    const w = witnessSpool(id);
    const storage = createLocalStorage(join(dir, 'store-witness'));

    const dry: SpoolOutcome[] = [];
    await recoverSpool({ spoolDir: w.spoolDir, storage, interviews, utterances, actor: 'reconcile', dryRun: true, onOutcome: (o) => dry.push(o) });
    expect(dry).toEqual([expect.objectContaining({ key: w.key, result: 'would_store', detail: expect.stringMatching(/^would store the spooled audio witness \(\d+ bytes\)/) })]);
    expect(await storage.size(w.key)).toBeUndefined();

    expect(await run(w.spoolDir, storage)).toEqual([expect.objectContaining({ interviewId: id, key: w.key, status: 'recording', result: 'stored', error: null, detail: expect.stringMatching(/audio witness stored, interview failed \(agent_crashed\)/) })]);
    expect(await interviews.get(id)).toMatchObject({ status: 'failed', error: 'agent_crashed', recordingKey, transcriptKey: null });
    expect(w.key, 'the key beside the recording').toBe(recordingKey.replace(/\.mp4$/, '.witness.m4a'));
    const stored = join(dir, 'stored-witness.m4a');
    writeFileSync(stored, await storage.get(w.key));
    // What plays is what the header says: the cut fragment is left out, three AAC tracks kept.
    const p = probeMedia(stored);
    expect(p.codecs).toEqual(['aac', 'aac', 'aac']);
    expect(p.seconds).toBeGreaterThan(3);
    expect(p.seconds).toBeLessThan(7);
    expect(existsSync(w.folder), 'the spool folder (witness, locks, join folder) is removed').toBe(false);
  });

  it('is left alone while its job still joins (the witness stored, its own lock gone, the join lock alive)', async () => {
    const id = await interviewIn('ending');
    const w = witnessSpool(id, spoolLockOwner());
    rmSync(spoolLockOf(w.file));
    expect(await run(w.spoolDir, createLocalStorage(join(dir, 'store-joining')))).toEqual([]);
    expect((await interviews.get(id)).status).toBe('ending');
    expect(statSync(w.file).size).toBeGreaterThan(0);
  });

  it('of a candidate whose data was deleted is dropped, not stored', async () => {
    const id = await interviewIn('failed', 'agent_crashed');
    await db.sql`update interviews set deleted_at = now() where id = ${id}`;
    const w = witnessSpool(id);
    const storage = createLocalStorage(join(dir, 'store-deleted'));
    expect(await run(w.spoolDir, storage)).toEqual([expect.objectContaining({ key: w.key, result: 'dropped' })]);
    expect(await storage.size(w.key)).toBeUndefined();
    expect(existsSync(w.folder)).toBe(false);
  });
});
