// RECORDER=off against real Postgres and a real local-folder storage: the interview completes with
// its transcript only (no recording key, no MP4), says why in its events, and fails plainly when
// the transcript cannot be stored. Also the egress id column (migration 00007).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { beginTranscriptOnly } from '../../agent/recording/off-recording.js';
import { createEgressIdRepo } from '../../cli/adapters/db/egress-ids.js';
import type { InterviewRepo } from '../../cli/adapters/db/interviews.js';
import type { UtteranceRepo } from '../../cli/adapters/db/utterances.js';
import { createLocalStorage, type ObjectStorage } from '../../cli/adapters/storage/storage.js';
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
  ws = await openAgentWorkspace('rec-off');
  ({ db, interviews, utterances, dir } = ws);
});
afterAll(() => ws?.close());

async function liveInterview(): Promise<string> {
  const row = makeNewInterview();
  await interviews.insertMany([row]);
  await db.sql`update interviews set status = 'used', used_at = now() where id = ${row.id}`;
  return row.id;
}

function start(id: string, storage: ObjectStorage, clock: { t: number }) {
  return beginTranscriptOnly(
    { interviewId: id, roomName: `interview-${id}`, lang: 'en', speechMode: 'offline', storage, interviews, utterances, log, stopConversation: () => {} },
    { sql: db.sql, startedAt: new Date('2026-11-22T03:04:05Z'), now: () => clock.t },
  );
}

describe('RECORDER=off', () => {
  it('completes used → ending → completed with the transcript only, offsets from the conversation start', async () => {
    const id = await liveInterview();
    const storage = createLocalStorage(join(dir, 'ok'));
    const clock = { t: 10_000 };
    const rec = start(id, storage, clock);
    await rec.started;
    clock.t = 12_500;
    expect(rec.offsetMs()).toBe(2500);
    await utterances.add(id, { seq: 0, speaker: 'agent', kind: 'greeting', questionIndex: null, text: 'Hello', startMs: rec.offsetMs(), endMs: 4000 });
    clock.t = 40_000;
    rec.markEnd();
    await interviews.applyEvent(id, 'end', { actor: 'agent', reason: 'test', patch: { end_reason: 'duration' } });
    expect(await rec.finish()).toBe('completed');

    const shown = await interviews.get(id);
    const base = `recordings/${id}/20261122T030405Z_interview-${id}`;
    expect(shown).toMatchObject({ status: 'completed', recordingKey: null, recordingStartedAt: null, transcriptKey: `${base}.transcript.json`, vttKey: `${base}.vtt` });
    const events = await interviews.events(id);
    expect(events.filter((e) => e.from !== e.to).map((e) => e.to)).toEqual(['ending', 'completed']);
    expect(events.find((e) => e.from === e.to)?.reason).toBe('no recording: the recorder is off by configuration (RECORDER=off)');
    expect(events.at(-1)?.reason).toMatch(/^transcript stored; no recording: the recorder is off by configuration/);
    const doc = JSON.parse((await storage.get(`${base}.transcript.json`)).toString());
    expect(doc).toMatchObject({ recording: null, durationMs: 30_000, utterances: [{ speaker: 'agent', kind: 'greeting', startMs: 2500 }] });
    expect(readdirSync(join(dir, 'ok', id)).sort()).toEqual([`20261122T030405Z_interview-${id}.transcript.json`, `20261122T030405Z_interview-${id}.vtt`]);
  });

  it('fails with recorder_failed when the transcript cannot be stored', async () => {
    const id = await liveInterview();
    const good = createLocalStorage(join(dir, 'bad'));
    const broken: ObjectStorage = { ...good, put: async () => Promise.reject(new Error('storage unreachable')) };
    const rec = start(id, broken, { t: 0 });
    await rec.started;
    await interviews.applyEvent(id, 'end', { actor: 'agent', reason: 'test' });
    expect(await rec.finish()).toBe('failed');
    expect(await interviews.get(id)).toMatchObject({ status: 'failed', error: 'recorder_failed' });
  });
});

describe('egress id (migration 00007)', () => {
  it('is stored on the interview', async () => {
    const id = await liveInterview();
    const ids = createEgressIdRepo(db.sql);
    expect(await ids.get(id)).toBeNull();
    await ids.set(id, 'EG_abc123');
    expect(await ids.get(id)).toBe('EG_abc123');
  });
});
