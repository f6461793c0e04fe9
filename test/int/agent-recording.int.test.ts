// The agent's end of an interview against real Postgres and a real (local-folder) storage:
// finalizing (completed only with all three objects), storage failing (failed, spool kept), and
// recovering the spool of a job that died.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failInterview, finalizeRecording } from '../../agent/finalize.js';
import { recoverSpool } from '../../agent/recover-spool.js';
import type { Recorder } from '../../agent/recorder/recorder.js';
import type { InterviewRepo } from '../../cli/adapters/db/interviews.js';
import type { UtteranceRepo } from '../../cli/adapters/db/utterances.js';
import { createLocalStorage, type ObjectStorage } from '../../cli/adapters/storage/storage.js';
import { recordingKeys } from '../../cli/core/keys.js';
import type { Status } from '../../cli/core/states.js';
import { createLogger } from '../../cli/log.js';
import { makeNewInterview } from './helpers/builders.js';
import { openAgentWorkspace, type AgentWorkspace } from './helpers/agent-workspace.js';
import type { TestDatabase } from './helpers/db.js';

let db: TestDatabase;
let interviews: InterviewRepo;
let utterances: UtteranceRepo;
let dir: string;
const log = createLogger({ write: () => true } as never);

let ws: AgentWorkspace | undefined;
beforeAll(async () => {
  ws = await openAgentWorkspace('agent-int');
  ({ db, interviews, utterances, dir } = ws);
});
afterAll(() => ws?.close());

async function interviewIn(status: Status): Promise<string> {
  const row = makeNewInterview();
  await interviews.insertMany([row]);
  await db.sql`update interviews set status = ${status}, used_at = now() - interval '1 minute', recording_started_at = now() - interval '50 seconds' where id = ${row.id}`;
  await utterances.add(row.id, { seq: 0, speaker: 'agent', kind: 'greeting', questionIndex: null, text: 'Hello', startMs: 100, endMs: 2000 });
  await utterances.add(row.id, { seq: 1, speaker: 'candidate', kind: 'answer', questionIndex: 0, text: null, startMs: 2500, endMs: 9000 });
  return row.id;
}

/** A recorder whose MP4 is already in storage, as the real one leaves it after its upload. */
function finishedRecorder(storage: ObjectStorage, key: string): Recorder {
  return { stop: async () => (await storage.put(key, Buffer.from('fake mp4'), 'video/mp4'), { durationMs: 9500, bytes: 8 }) } as unknown as Recorder;
}

function spoolFor(id: string, name: string): string {
  const spool = join(dir, 'spool', id);
  mkdirSync(spool, { recursive: true });
  const file = join(spool, name);
  writeFileSync(file, 'partial fragmented mp4');
  return file;
}

describe('finalizeRecording', () => {
  it('stores the transcript beside the recording and only then completes the interview', async () => {
    const id = await interviewIn('ending');
    const storage = createLocalStorage(join(dir, 'store-ok'));
    const keys = recordingKeys(id, `interview-${id}`, new Date('2026-11-22T03:00:00Z'));
    const spoolFile = spoolFor(id, 'a.mp4');
    const result = await finalizeRecording({ interviewId: id, roomName: `interview-${id}`, lang: 'en', speechMode: 'offline', startedAt: new Date(), keys, spoolFile, recorder: finishedRecorder(storage, keys.video), storage, interviews, utterances, log });
    expect(result).toBe('completed');
    const shown = await interviews.get(id);
    expect(shown).toMatchObject({ status: 'completed', recordingKey: keys.video, transcriptKey: keys.transcript, vttKey: keys.vtt });
    const doc = JSON.parse((await storage.get(keys.transcript)).toString());
    expect(doc.utterances.map((u: { speaker: string }) => u.speaker)).toEqual(['agent', 'candidate']);
    expect((await storage.get(keys.vtt)).toString()).toContain('<v Interviewer>Hello');
    expect(existsSync(spoolFile)).toBe(false);
  });

  it('fails the interview with recorder_failed and keeps the spool when storage fails', async () => {
    const id = await interviewIn('ending');
    const good = createLocalStorage(join(dir, 'store-bad'));
    const broken: ObjectStorage = { ...good, put: async () => Promise.reject(new Error('storage unreachable')) };
    const keys = recordingKeys(id, `interview-${id}`, new Date());
    const spoolFile = spoolFor(id, 'b.mp4');
    const result = await finalizeRecording({ interviewId: id, roomName: `interview-${id}`, lang: 'en', speechMode: 'offline', startedAt: new Date(), keys, spoolFile, recorder: finishedRecorder(good, keys.video), storage: broken, interviews, utterances, log });
    expect(result).toBe('failed');
    expect(await interviews.get(id)).toMatchObject({ status: 'failed', error: 'recorder_failed' });
    expect(existsSync(spoolFile)).toBe(true);
  });
});

describe('recoverSpool', () => {
  it("uploads a dead job's partial recording with a transcript and fails the interview with agent_crashed", async () => {
    const id = await interviewIn('recording');
    const name = `20261122T030000Z_interview-${id}.mp4`;
    const spoolFile = spoolFor(id, name);
    const storage = createLocalStorage(join(dir, 'store-recover'));
    const count = await recoverSpool({ spoolDir: join(dir, 'spool'), storage, interviews, utterances, log });
    expect(count).toBeGreaterThanOrEqual(1);
    const key = `recordings/${id}/${name}`;
    expect((await storage.get(key)).toString()).toBe('partial fragmented mp4');
    expect(await storage.size(key.replace(/\.mp4$/, '.transcript.json'))).toBeGreaterThan(0);
    expect(await interviews.get(id)).toMatchObject({ status: 'failed', error: 'agent_crashed', recordingKey: key });
    expect(existsSync(spoolFile)).toBe(false);
  });

  it('drops the spool of an interview that completed anyway', async () => {
    const id = await interviewIn('ending');
    await failInterview(interviews, id, 'x', 'y').catch(() => {});
    await db.sql`update interviews set status = 'completed' where id = ${id}`;
    const spoolFile = spoolFor(id, `20261122T030000Z_interview-${id}.mp4`);
    const storage = createLocalStorage(join(dir, 'store-done'));
    await recoverSpool({ spoolDir: join(dir, 'spool'), storage, interviews, utterances, log });
    expect(existsSync(spoolFile)).toBe(false);
    expect(await storage.size(`recordings/${id}/20261122T030000Z_interview-${id}.mp4`)).toBeUndefined();
  });
});
