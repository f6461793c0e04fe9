// Retention: `purge --older-than` deletes the recordings, transcripts and personal data of finished
// interviews past it, by the same table list as `candidate delete` (consents, operator reasons,
// utterances, webhook bodies, and what later tables add), keeps an anonymous row and an audit row,
// and never touches live interviews or recent ones.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalStorage, localPathsOf } from '../../cli/adapters/storage/storage.js';
import { ndjson } from './helpers/cli.js';
import { filesUnder, seedFinishedInterview, type SeededCandidate } from './helpers/candidate-data.js';
import { useCliWorkspace } from './helpers/workspace.js';

const ws = useCliWorkspace('purge');
const run = (args: string[]) => ws.run(args, { env: { RECORDINGS_DIR: join(ws.scratch.dir, 'recordings') } });
const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);

describe('purge --older-than', () => {
  let old: SeededCandidate;
  let recent: SeededCandidate;
  let oldLive: SeededCandidate;
  const file = (key: string) => localPathsOf(join(ws.scratch.dir, 'recordings'), key).path;

  beforeAll(async () => {
    const storage = createLocalStorage(join(ws.scratch.dir, 'recordings'));
    old = await seedFinishedInterview(run, ws.db.sql, storage, { name: 'Old Qzcandidate', email: 'old.qz@example.com', ref: 'P-1', home: ws.scratch.dir });
    recent = await seedFinishedInterview(run, ws.db.sql, storage, { name: 'Recent Person', email: 'recent@example.com', ref: 'P-2', home: ws.scratch.dir });
    oldLive = await seedFinishedInterview(run, ws.db.sql, storage, { name: 'Still Talking', email: 'live@example.com', ref: 'P-3', home: ws.scratch.dir });
    await ws.db.sql`update interviews set created_at = ${daysAgo(40)} where id = any(${[old.id, oldLive.id]})`;
    await ws.db.sql`update interviews set status = 'recording', completed_at = null where id = ${oldLive.id}`;
  });

  it('refuses a missing or too short retention', async () => {
    expect((await run(['purge'])).code).toBe(2);
    const short = await run(['purge', '--older-than', '12h']);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/at least 1d/);
  });

  it('--dry-run lists only finished interviews past the retention and changes nothing', async () => {
    const r = await run(['purge', '--older-than', '30d', '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const lines = ndjson<{ id: string; applied: boolean; objects: string[] }>(r.stdout);
    expect(lines.map((l) => l.id)).toEqual([old.id]);
    expect(lines[0]!.applied).toBe(false);
    expect(lines[0]!.objects.sort()).toEqual(Object.values(old.keys).sort());
    expect(existsSync(file(old.keys.video))).toBe(true);
    const [row] = await ws.db.sql`select candidate_name from interviews where id = ${old.id}`;
    expect(row!.candidateName).toBe(old.name);
  });

  it('purges the old finished interview: storage, personal rows, consent browser, operator reasons; keeps an audit row', async () => {
    const r = await run(['purge', '--older-than', '30d', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(ndjson<{ id: string; applied: boolean }>(r.stdout)).toEqual([expect.objectContaining({ id: old.id, applied: true })]);
    expect(filesUnder(join(ws.scratch.dir, 'recordings')).filter((p) => p.includes(old.id))).toEqual([]);
    const [row] = await ws.db.sql`select candidate_name, candidate_email, ref, purged_at from interviews where id = ${old.id}`;
    expect(row).toMatchObject({ candidateName: '(purged)', candidateEmail: null, ref: null });
    expect(row!.purgedAt).not.toBeNull();
    const [counts] = await ws.db.sql<{ u: number; w: number; ua: number; reasons: number }[]>`
      select (select count(*)::int from utterances where interview_id = ${old.id}) as u,
             (select count(*)::int from webhook_events where interview_id = ${old.id}) as w,
             (select count(*)::int from consents where interview_id = ${old.id} and user_agent is not null) as ua,
             (select count(*)::int from interview_events where interview_id = ${old.id} and reason like ${`%${old.name}%`}) as reasons`;
    expect(counts).toEqual({ u: 0, w: 0, ua: 0, reasons: 0 });
    // The consent itself stays as proof (version, language, time).
    const [consent] = await ws.db.sql`select version, lang from consents where interview_id = ${old.id}`;
    expect(consent).toMatchObject({ lang: 'en' });
    const [audit] = await ws.db.sql`select objects_deleted, utterances_deleted, webhooks_deleted, retention, rows_erased from purge_audit where interview_id = ${old.id}`;
    expect(audit).toMatchObject({ objectsDeleted: 3, utterancesDeleted: 2, webhooksDeleted: 1, retention: '30d' });
    expect(audit!.rowsErased).toMatchObject({ consents_cleared: 1, interview_events_cleared: 1, utterances_deleted: 2, webhook_events_deleted: 1 });
    expect(JSON.stringify(audit)).not.toContain('Qzcandidate');
  });

  it('never touches a live interview or a recent one, and a second purge finds nothing', async () => {
    for (const c of [recent, oldLive]) {
      const [row] = await ws.db.sql`select candidate_name, purged_at from interviews where id = ${c.id}`;
      expect(row).toMatchObject({ candidateName: c.name, purgedAt: null });
      expect(existsSync(file(c.keys.video))).toBe(true);
    }
    const again = await run(['purge', '--older-than', '30d', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout.trim()).toBe('');
  });
});
