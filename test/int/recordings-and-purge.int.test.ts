import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInterviewRepo } from '../../cli/adapters/db/interviews.js';
import { recordingKeys } from '../../cli/core/keys.js';
import { makeNewInterview } from './helpers/builders.js';
import { useCliWorkspace } from './helpers/workspace.js';

// What an operator does with a finished interview, on real Postgres and the local recordings
// folder (no S3_BUCKET): `recording get` (and its resume), `recording url`, `transcript`, and
// `purge`, which deletes the recording, the transcript and the personal data past retention.

const ws = useCliWorkspace('recordings');
const VIDEO = randomBytes(300_000);

async function completedInterview(createdAt = new Date()) {
  const row = makeNewInterview({ createdAt, candidateName: 'Grace Hopper', candidateEmail: 'grace@example.com', ref: `R-${randomBytes(3).toString('hex')}` });
  await createInterviewRepo(ws.db.sql).insertMany([row]);
  const keys = recordingKeys(row.id, `interview-${row.id}`, new Date(Date.UTC(2026, 0, 5, 9)));
  const dir = join(ws.scratch.dir, 'recordings');
  for (const [key, body] of [[keys.video, VIDEO], [keys.transcript, '{"utterances":[]}'], [keys.vtt, 'WEBVTT\n']] as const) {
    mkdirSync(dirname(join(dir, key)), { recursive: true });
    writeFileSync(join(dir, key), body);
  }
  await ws.db.sql`update interviews set status = 'completed', used_at = now(), recording_key = ${keys.video}, transcript_key = ${keys.transcript}, vtt_key = ${keys.vtt}, resume_key_hash = 'h' where id = ${row.id}`;
  await ws.db.sql`insert into utterances (interview_id, seq, speaker, kind, question_index, text, start_ms, end_ms) values
    (${row.id}, 1, 'agent', 'question', 0, 'Tell me about a hard bug.', 1000, 3000),
    (${row.id}, 2, 'candidate', 'answer', 0, 'A race in a compiler.', 3500, 9000)`;
  return { id: row.id, keys, dir };
}

describe('recording get, url and transcript', () => {
  let it1: Awaited<ReturnType<typeof completedInterview>>;
  beforeAll(async () => {
    it1 = await completedInterview();
  });

  it('recording get downloads the MP4, and resumes an interrupted download from its .part file', async () => {
    const target = join(ws.scratch.dir, 'out.mp4');
    const first = await ws.run(['recording', 'get', it1.id, '-o', target, '--json']);
    expect(first.code, first.stderr).toBe(0);
    expect(readFileSync(target).equals(VIDEO)).toBe(true);
    // An interrupted download: the first 100,000 bytes are there as .part.
    const target2 = join(ws.scratch.dir, 'again.mp4');
    writeFileSync(`${target2}.part`, VIDEO.subarray(0, 100_000));
    const resumed = await ws.run(['recording', 'get', it1.id, '-o', target2, '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ path: target2, bytes: VIDEO.length, resumedFrom: 100_000, skipped: false });
    expect(readFileSync(target2).equals(VIDEO)).toBe(true);
    expect(existsSync(`${target2}.part`)).toBe(false);
    // Complete already: nothing downloaded again.
    const again = await ws.run(['recording', 'get', it1.id, '-o', target2, '--json']);
    expect(JSON.parse(again.stdout)).toMatchObject({ skipped: true });
  });

  it('recording url names the file (local storage: a path that does not expire); a missing object is 4', async () => {
    const r = await ws.run(['recording', 'url', it1.id, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { url: string; key: string; expiresAt: string | null };
    expect(out.key).toBe(it1.keys.video);
    expect(out.url).toContain(it1.keys.video);
    expect(out.expiresAt).toBeNull();
    expect(r.stderr).toMatch(/local folder .* does not expire/);
    expect((await ws.run(['recording', 'url', it1.id, '--expires', '9d'])).code).toBe(2);
    const fresh = makeNewInterview();
    await createInterviewRepo(ws.db.sql).insertMany([fresh]);
    expect((await ws.run(['recording', 'url', fresh.id])).code).toBe(4);
  });

  it('transcript prints text, and the stored vtt and json once completed', async () => {
    const text = await ws.run(['transcript', it1.id]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^\[00:01\] Interviewer: Tell me about a hard bug\.$/m);
    expect(text.stdout).toMatch(/^\[00:03\] Candidate: A race in a compiler\.$/m);
    expect((await ws.run(['transcript', it1.id, '--format', 'vtt'])).stdout).toBe('WEBVTT\n');
    expect((await ws.run(['transcript', it1.id, '--format', 'json'])).stdout).toBe('{"utterances":[]}');
    expect((await ws.run(['transcript', it1.id, '--format', 'srt'])).code).toBe(2);
  });
});

describe('purge', () => {
  it('--dry-run deletes nothing; purge deletes the files, the utterances and the personal data, keeps an audit row; a re-run does nothing', async () => {
    const old = await completedInterview(new Date(Date.now() - 40 * 86_400_000));
    const recent = await completedInterview();
    const dry = await ws.run(['purge', '--older-than', '30d', '--dry-run', '--json']);
    expect(dry.code, dry.stderr).toBe(0);
    const planned = dry.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; applied: boolean });
    expect(planned.map((p) => p.id)).toContain(old.id);
    expect(planned.map((p) => p.id)).not.toContain(recent.id);
    expect(existsSync(join(old.dir, old.keys.video))).toBe(true);

    const r = await ws.run(['purge', '--older-than', '30d', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain('Grace');
    for (const key of [old.keys.video, old.keys.transcript, old.keys.vtt]) expect(existsSync(join(old.dir, key)), key).toBe(false);
    expect(existsSync(join(recent.dir, recent.keys.video))).toBe(true);
    const [row] = await ws.db.sql<{ candidateName: string; candidateEmail: string | null; ref: string | null; purgedAt: Date | null }[]>`select candidate_name, candidate_email, ref, purged_at from interviews where id = ${old.id}`;
    expect(row).toMatchObject({ candidateName: '(purged)', candidateEmail: null, ref: null, purgedAt: expect.any(Date) });
    const [{ n }] = await ws.db.sql<{ n: number }[]>`select count(*)::int as n from utterances where interview_id = ${old.id}`;
    expect(n).toBe(0);
    const audit = await ws.db.sql`select objects_deleted, utterances_deleted, retention from purge_audit where interview_id = ${old.id}`;
    expect(audit).toEqual([{ objectsDeleted: 3, utterancesDeleted: 2, retention: '30d' }]);
    const [kept] = await ws.db.sql<{ candidateName: string }[]>`select candidate_name from interviews where id = ${recent.id}`;
    expect(kept!.candidateName).toBe('Grace Hopper');

    const again = await ws.run(['purge', '--older-than', '30d', '--json']);
    expect(again.code).toBe(0);
    expect(again.stdout).not.toContain(old.id);
    expect((await ws.run(['purge', '--older-than', '1h'])).code).toBe(2);
  });
});
