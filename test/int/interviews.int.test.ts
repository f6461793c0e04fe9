import { describe, expect, it } from 'vitest';
import { createInterviewRepo } from '../../cli/adapters/db/interviews.js';
import { makeNewInterview } from './helpers/builders.js';
import { cli, stackFrames } from './helpers/cli.js';
import { useCliWorkspace } from './helpers/workspace.js';

// create, list, show, revoke and expiry, run as a user runs them.

const ws = useCliWorkspace('interviews');
const { run } = ws;

interface Record_ {
  id: string;
  url: string;
  status: string;
  name: string;
  email: string | null;
  ref: string | null;
  lang: string;
  durationSeconds: number;
  questionSet: string;
  createdAt: string;
  expiresAt: string;
  result?: string;
  events?: { from: string | null; to: string; actor: string; reason: string | null }[];
  questions?: { text: string }[];
}

async function createJson(args: string[], env?: Record<string, string>): Promise<Record_> {
  const r = await run(['create', '--json', ...args], { env });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record_;
}

async function showJson(id: string): Promise<Record_> {
  const r = await run(['show', id, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record_;
}

const ID = /^[A-Za-z0-9_-]{22}$/;

describe('create', () => {
  it('prints only the link on stdout, and a note on stderr', async () => {
    const r = await run(['create', '--name', 'Ada Lovelace', '--email', 'ada@example.com']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^http:\/\/localhost:8080\/interview\/[A-Za-z0-9_-]{22}\n$/);
    expect(r.stderr).toMatch(/^created interview [A-Za-z0-9_-]{22}: 20m, en, expires \d{4}-/m);
    expect(r.stderr).not.toContain("Ada");
    const id = r.stdout.trim().split('/').pop()!;
    expect(await showJson(id)).toMatchObject({ id, status: 'created', name: 'Ada Lovelace', email: 'ada@example.com', ref: null, durationSeconds: 1200 });
  });

  it('prints the record with --json, with the flags applied', async () => {
    const before = Date.now();
    const rec = await createJson(['--name', '山田 太郎', '--duration', '45m', '--lang', 'ja', '--expires', '48h', '--ref', 'ATS-1042']);
    expect(rec).toMatchObject({ status: 'created', result: 'created', name: '山田 太郎', lang: 'ja', durationSeconds: 2700, ref: 'ATS-1042', questionSet: 'default' });
    expect(rec.id).toMatch(ID);
    expect(rec.url).toBe(`http://localhost:8080/interview/${rec.id}`);
    const ttl = Date.parse(rec.expiresAt) - before;
    expect(ttl).toBeGreaterThan(48 * 3_600_000 - 60_000);
    expect(ttl).toBeLessThan(48 * 3_600_000 + 60_000);
    // The interview keeps its own copy of the (Japanese) questions.
    const shown = await showJson(rec.id);
    expect(shown.questions!.length).toBeGreaterThan(0);
    expect(shown.questions![0]!.text).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/);
  });

  it('builds the link from PUBLIC_URL, or from PORT when it is unset', async () => {
    const a = await createJson(['--name', 'Link A'], { PUBLIC_URL: 'https://jobs.example.com/' });
    expect(a.url).toBe(`https://jobs.example.com/interview/${a.id}`);
    const b = await createJson(['--name', 'Link B'], { PORT: '9000' });
    expect(b.url).toBe(`http://localhost:9000/interview/${b.id}`);
  });

  it('with --quiet prints the link and nothing else', async () => {
    const r = await run(['-q', 'create', '--name', 'Quiet Person']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^http:\/\/localhost:8080\/interview\/[A-Za-z0-9_-]{22}\n$/);
    expect(r.stderr).toBe('');
  });

  it('creates nothing for a ref that exists, and says so', async () => {
    const first = await createJson(['--name', 'Grace Hopper', '--ref', 'REF-TWICE']);
    const second = await createJson(['--name', 'Someone Else', '--ref', 'REF-TWICE', '--duration', '1h']);
    expect(second).toMatchObject({ id: first.id, result: 'exists', name: 'Grace Hopper', durationSeconds: 1200 });
    const human = await run(['create', '--name', 'Someone Else', '--ref', 'REF-TWICE']);
    expect(human.code).toBe(0);
    expect(human.stdout.trim()).toBe(first.url);
    expect(human.stderr).toContain('ref REF-TWICE exists already (created); nothing created');
    const n = (await ws.db.sql<{ n: number }[]>`select count(*)::int as n from interviews where ref = 'REF-TWICE'`)[0]!.n;
    expect(n).toBe(1);
  });

  it('stores and shows names that look like SQL or HTML verbatim', async () => {
    for (const name of ["Robert'); DROP TABLE interviews;--", '<script>alert("x")</script> & co', '🦊 Fox “quoted”']) {
      const rec = await createJson(['--name', name]);
      expect(rec.name).toBe(name);
      const human = await run(['show', rec.id]);
      expect(human.stdout).toContain(`candidate          ${name}`);
    }
  });

  it('refuses an unknown question set before creating anything', async () => {
    const r = await run(['create', '--name', 'No Set', '--questions', 'nope']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('error: --questions: no question set "nope" in en (see `interviewctl questions list`)\n');
    const n = (await ws.db.sql<{ n: number }[]>`select count(*)::int as n from interviews where candidate_name = 'No Set'`)[0]!.n;
    expect(n).toBe(0);
  });
});

describe('list', () => {
  it('prints a table, or a JSON array with --json, newest first', async () => {
    await createJson(['--name', 'Listed Person', '--ref', 'LIST-1']);
    const human = await run(['list']);
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')[0]).toMatch(/^ID\s+STATUS\s+CANDIDATE\s+REF\s+LANG\s+DURATION\s+CREATED\s+EXPIRES$/);
    // Relative times: a slow machine may take a few seconds between create and list.
    expect(human.stdout).toMatch(/^\S{8}\s+created\s+Listed Person\s+LIST-1\s+en\s+20m\s+(just now|\d+s ago)\s+in (7d|6d23h59m\d+s)$/m);
    const json = await run(['list', '--json']);
    const rows = JSON.parse(json.stdout) as Record_[];
    expect(rows[0]!.name).toBe('Listed Person');
    const times = rows.map((r) => Date.parse(r.createdAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  it('filters by status, age and count', async () => {
    const old = await createJson(['--name', 'Old Invite']);
    await ws.db.sql`update interviews set created_at = now() - interval '3 days' where id = ${old.id}`;
    const gone = await createJson(['--name', 'Revoked Invite']);
    expect((await run(['revoke', gone.id])).code).toBe(0);

    const names = async (args: string[]) => {
      const r = await run(['list', '--json', ...args]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(r.stdout) as Record_[]).map((x) => x.name);
    };
    const revoked = await names(['--status', 'revoked']);
    expect(revoked).toContain('Revoked Invite');
    expect(revoked).not.toContain('Old Invite');
    const created = await names(['--status', 'created']);
    expect(created).toContain('Old Invite');
    expect(created).not.toContain('Revoked Invite');
    const recent = await names(['--since', '24h']);
    expect(recent).toContain('Revoked Invite');
    expect(recent).not.toContain('Old Invite');
    expect(await names(['--since', '4d'])).toContain('Old Invite');
    expect(await names(['--limit', '2'])).toHaveLength(2);
  });
});

describe('show', () => {
  it('finds an interview by id or by a unique prefix, with its timeline', async () => {
    const rec = await createJson(['--name', 'Shown Person', '--email', 'shown@example.com']);
    const all = (await ws.db.sql<{ id: string }[]>`select id from interviews`).map((r) => r.id);
    let n = 4;
    while (all.filter((id) => id.startsWith(rec.id.slice(0, n))).length > 1) n++;
    const byPrefix = await run(['show', rec.id.slice(0, n)]);
    expect(byPrefix.code, byPrefix.stderr).toBe(0);
    const out = byPrefix.stdout;
    expect(out).toContain(`id                 ${rec.id}`);
    expect(out).toContain(`link               ${rec.url}`);
    expect(out).toContain('status             created');
    expect(out).toContain('candidate          Shown Person <shown@example.com>');
    expect(out).toContain(`room               interview-${rec.id}`);
    expect(out).toMatch(/\ntimeline\n {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ {2}created\n?$/);
    expect((await showJson(rec.id)).events).toEqual([]);
  });

  it('refuses a prefix shared by several interviews, and asks for more of it', async () => {
    await createInterviewRepo(ws.db.sql).insertMany([makeNewInterview({ id: 'SharedAaaaaaaaaaaaaaaa' }), makeNewInterview({ id: 'SharedBbbbbbbbbbbbbbbb' })]);
    const r = await run(['show', 'Shared']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: id prefix Shared matches several interviews \(SharedAaaaaaaaaaaaaaaa, SharedBbbbbbbbbbbbbbbb…\); type more of it\n$/);
  });

  it('exits 4 for an unknown id or prefix', async () => {
    for (const id of ['ZZZZZZZZZZZZZZZZZZZZZZ', 'ZZZZ']) {
      const r = await run(['show', id]);
      expect(r.code).toBe(4);
      expect(r.stderr).toMatch(new RegExp(`^error: no interview with id (or ref )?${id}\\n$`));
      expect(r.stdout).toBe('');
    }
    const json = await run(['show', 'ZZZZ', '--json']);
    expect(json.code).toBe(4);
    expect(JSON.parse(json.stderr)).toEqual({ error: 'not_found', message: 'no interview with id or ref ZZZZ' });
  });
});

describe('revoke', () => {
  it('cancels an unused link once; a second revoke is a conflict (exit 5)', async () => {
    const rec = await createJson(['--name', 'To Revoke']);
    const first = await run(['revoke', rec.id, '--reason', 'position filled']);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toBe(`revoked ${rec.id}\n`);
    const shown = await showJson(rec.id);
    expect(shown.status).toBe('revoked');
    expect(shown.events).toEqual([expect.objectContaining({ from: 'created', to: 'revoked', actor: 'operator', reason: 'position filled' })]);

    const again = await run(['revoke', rec.id]);
    expect(again.code).toBe(5);
    expect(again.stderr).toBe(`error: cannot revoke interview ${rec.id}: it is revoked\n`);
    const againJson = await run(['revoke', rec.id, '--json']);
    expect(againJson.code).toBe(5);
    expect(JSON.parse(againJson.stderr)).toMatchObject({ error: 'transition_not_allowed' });
    const n = (await ws.db.sql<{ n: number }[]>`select count(*)::int as n from interview_events where interview_id = ${rec.id}`)[0]!.n;
    expect(n).toBe(1);
  });

  it('refuses to revoke a link already in use', async () => {
    const rec = await createJson(['--name', 'In Use']);
    await createInterviewRepo(ws.db.sql).applyEvent(rec.id, 'join', { actor: 'candidate' });
    const r = await run(['revoke', rec.id]);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('it is used');
    expect((await showJson(rec.id)).status).toBe('used');
  });

  it('prints the revoked record with --json', async () => {
    const rec = await createJson(['--name', 'Json Revoke', '--ref', 'JSON-REVOKE']);
    const ok = await run(['revoke', rec.id, '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ id: rec.id, status: 'revoked', ref: 'JSON-REVOKE', url: rec.url });
  });

  it('exits 4 for an unknown id', async () => {
    const r = await run(['revoke', 'ZZZZZZZZZZZZZZZZZZZZZZ']);
    expect(r.code).toBe(4);
    expect(stackFrames(r.stderr)).toEqual([]);
  });
});

describe('expiry', () => {
  it('reads an unused link past its expiry as expired in list and show, and stores it so once', async () => {
    const rec = await createJson(['--name', 'Late Candidate', '--expires', '1m']);
    const ttl = Date.parse(rec.expiresAt) - Date.parse(rec.createdAt);
    expect(ttl).toBe(60_000);
    // Instead of waiting a minute: move the expiry into the past, as time would.
    await ws.db.sql`update interviews set expires_at = now() - interval '1 second' where id = ${rec.id}`;

    const listed = JSON.parse((await run(['list', '--json'])).stdout) as Record_[];
    expect(listed.find((r) => r.id === rec.id)?.status).toBe('expired');
    const shown = await showJson(rec.id);
    expect(shown.status).toBe('expired');
    expect(shown.events).toEqual([expect.objectContaining({ from: 'created', to: 'expired', actor: 'system' })]);
    expect((await run(['show', rec.id])).stdout).toContain('status             expired');

    const [row] = await ws.db.sql`select status from interviews where id = ${rec.id}`;
    expect(row!.status).toBe('expired');
    const n = (await ws.db.sql<{ n: number }[]>`select count(*)::int as n from interview_events where interview_id = ${rec.id}`)[0]!.n;
    expect(n).toBe(1);

    const created = JSON.parse((await run(['list', '--json', '--status', 'created'])).stdout) as Record_[];
    expect(created.map((r) => r.id)).not.toContain(rec.id);
    const expired = JSON.parse((await run(['list', '--json', '--status', 'expired'])).stdout) as Record_[];
    expect(expired.map((r) => r.id)).toContain(rec.id);

    const revoke = await run(['revoke', rec.id]);
    expect(revoke.code).toBe(5);
    expect(revoke.stderr).toContain('it is expired');
  });

  it('reads an expired link as expired even when only list ran', async () => {
    const rec = await createJson(['--name', 'Listed Late', '--expires', '2m']);
    await ws.db.sql`update interviews set expires_at = now() - interval '1 second' where id = ${rec.id}`;
    const human = await run(['list', '--status', 'expired']);
    expect(human.stdout).toMatch(new RegExp(`^${rec.id.slice(0, 8)}\\s+expired\\s+Listed Late\\s.*\\s-$`, 'm'));
  });
});
