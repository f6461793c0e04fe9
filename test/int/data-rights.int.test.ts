// Candidate data rights with local storage, as a privacy officer checks them: export everything,
// delete, export again (only the tombstone and the receipt remain), then search the database dump
// and the local folders for the candidate's name and email. Bad input and the access log too.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { recoverSpool } from '../../agent/recover-spool.js';
import { createInterviewRepo } from '../../cli/adapters/db/interviews.js';
import { createUtteranceRepo } from '../../cli/adapters/db/utterances.js';
import { createLocalStorage, localPathsOf } from '../../cli/adapters/storage/storage.js';
import { ndjson, stackFrames } from './helpers/cli.js';
import { databaseDump, filesUnder, seedFinishedInterview, type SeededCandidate } from './helpers/candidate-data.js';
import { useCliWorkspace } from './helpers/workspace.js';

const ws = useCliWorkspace('data-rights');
const run = (args: string[], env: Record<string, string> = {}) => ws.run(args, { env: { RECORDINGS_DIR: join(ws.scratch.dir, 'recordings'), ...env } });

interface Manifest {
  items: { path: string | null; source: string; sha256?: string; bytes?: number; rows?: number; skipped?: string }[];
  interviews: { id: string; deleted: boolean }[];
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('candidate export, delete, export again (local folder storage)', () => {
  let ada: SeededCandidate;
  let grace: SeededCandidate;
  const storage = () => createLocalStorage(join(ws.scratch.dir, 'recordings'));

  beforeAll(async () => {
    ada = await seedFinishedInterview(run, ws.db.sql, storage(), { name: 'Ada Zyxwlovelace', email: 'ada.zyxw@example.com', ref: 'DR-1', home: ws.scratch.dir });
    grace = await seedFinishedInterview(run, ws.db.sql, storage(), { name: 'Grace Qvhopper', email: 'grace.qv@example.com', ref: 'DR-2', home: ws.scratch.dir });
    // An outbound webhook endpoint, and an event about Ada already sent to it (a body carrying her
    // name, as an older or a custom body might).
    const hook = await run(['hooks', 'add', 'http://127.0.0.1:9/', '--allow-private', '--events', 'interview.completed,candidate.deleted']);
    expect(hook.code, hook.stderr).toBe(0);
    await ws.db.sql`
      insert into hook_events (id, type, interview_id, data)
      values (hook_event_id(), 'interview.completed', ${ada.id}, ${JSON.stringify({ interview_id: ada.id, note: ada.name })}::json)`;
  });

  it('exports everything held about the person to a folder, with a manifest of sources and checksums', async () => {
    const dir = join(ws.scratch.dir, 'export-ada');
    const r = await run(['candidate', 'export', '--email', 'ADA.zyxw@example.com', '-o', dir, '--by', 'dpo@example.com', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.interviews.map((i) => i.id)).toEqual([ada.id]);
    const paths = manifest.items.map((i) => i.path);
    const base = `interviews/${ada.id}`;
    for (const p of ['interview.json', 'events.json', 'consents.json', 'utterances.json', 'livekit_webhooks.json', 'access_log.json', 'outbound_webhooks.json', 'outbound_webhook_deliveries.json']) {
      expect(paths).toContain(`${base}/${p}`);
    }
    expect(manifest.items.find((i) => i.path === `${base}/outbound_webhook_deliveries.json`)!.rows).toBe(1);
    for (const key of Object.values(ada.keys)) expect(paths).toContain(`${base}/storage/${key.split('/').at(-1)}`);
    for (const item of manifest.items) {
      expect(item.sha256, item.path!).toBe(sha(join(dir, item.path!)));
      expect(item.source).toMatch(/^postgres:|recordings\//);
    }
    expect(readFileSync(join(dir, base, 'interview.json'), 'utf8')).toContain(ada.email);
    expect(readFileSync(join(dir, base, 'utterances.json'), 'utf8')).toContain(ada.name);
    expect(readFileSync(join(dir, base, 'storage', ada.keys.video.split('/').at(-1)!))).toEqual(readFileSync(localPathsOf(join(ws.scratch.dir, 'recordings'), ada.keys.video).path));
    // Nothing of the other candidate.
    expect(JSON.stringify(manifest)).not.toContain(grace.id);
  });

  it('writes a .zip with the same manifest; --no-media leaves the recording out but lists it', async () => {
    const zip = join(ws.scratch.dir, 'ada.zip');
    const r = await run(['candidate', 'export', '--ref', 'DR-1', '-o', zip, '--no-media', '--by', 'dpo']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/exported 1 interview to .*ada\.zip/);
    const listing = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(listing).toContain('manifest.json');
    expect(listing).toContain(`interviews/${ada.id}/storage/${ada.keys.transcript.split('/').at(-1)}`);
    expect(listing.some((f) => f.endsWith('.mp4'))).toBe(false);
    const manifest = JSON.parse(execFileSync('unzip', ['-p', zip, 'manifest.json'], { encoding: 'utf8' })) as Manifest;
    expect(manifest.items.find((i) => i.source.endsWith(ada.keys.video))).toMatchObject({ path: null, skipped: 'left out by --no-media' });
    expect(existsSync(`${zip}.partial`)).toBe(false);
  });

  it('refuses an existing non-empty folder unless --force; an unknown id is exit 4', async () => {
    const dir = join(ws.scratch.dir, 'not-empty');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'keep.txt'), 'mine');
    const refused = await run(['candidate', 'export', ada.id, '-o', dir]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/not empty; pass --force/);
    expect(stackFrames(refused.stderr)).toEqual([]);
    const forced = await run(['candidate', 'export', ada.id, '-o', dir, '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, 'keep.txt'), 'utf8')).toBe('mine');
    const unknown = await run(['candidate', 'export', 'nope-nope-nope-nope-12', '-o', join(ws.scratch.dir, 'x')]);
    expect(unknown.code).toBe(4);
    const unknownEmail = await run(['candidate', 'delete', '--email', 'nobody@example.com']);
    expect(unknownEmail.code).toBe(4);
    expect(unknownEmail.stderr).not.toContain('nobody@example.com');
    const both = await run(['candidate', 'delete', ada.id, '--email', ada.email]);
    expect(both.code).toBe(2);
  });

  it('records every export, recording and transcript access, and audit lists them', async () => {
    const t = await run(['transcript', ada.id, '--by', 'recruiter-7']);
    expect(t.code, t.stderr).toBe(0);
    const u = await run(['recording', 'url', ada.id]);
    expect(u.code, u.stderr).toBe(0);
    const audit = await run(['audit', '--interview', ada.id, '--since', '1h', '--json']);
    expect(audit.code, audit.stderr).toBe(0);
    const rows = JSON.parse(audit.stdout) as { by: string; what: string; interviewId: string }[];
    // Without --by, the OS user.
    expect(rows.map((r) => `${r.what} by ${r.by}`)).toEqual(
      expect.arrayContaining(['candidate export by dpo@example.com', 'candidate export by dpo', 'transcript by recruiter-7', `recording url by ${userInfo().username}`]),
    );
    expect(rows.every((r) => r.interviewId === ada.id)).toBe(true);
    const human = await run(['audit']);
    expect(human.stdout).toMatch(/WHEN\s+BY\s+WHAT\s+INTERVIEW/);
  });

  it('--dry-run says what would go and deletes nothing', async () => {
    const r = await run(['candidate', 'delete', ada.id, '--dry-run', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [plan] = ndjson<{ result: string; plan: { rows: Record<string, number>; storage: { key: string }[]; local: string[] } }>(r.stdout);
    expect(plan!.result).toBe('would_delete');
    expect(plan!.plan.rows).toMatchObject({ utterances_deleted: 2, webhook_events_deleted: 1, consents_cleared: 1, interview_events_cleared: 1 });
    expect(plan!.plan.storage.map((s) => s.key).sort()).toEqual(Object.values(ada.keys).sort());
    expect(plan!.plan.local).toHaveLength(1);
    expect(existsSync(ada.spoolFile)).toBe(true);
    const [{ n }] = await ws.db.sql<{ n: number }[]>`select count(*)::int as n from utterances where interview_id = ${ada.id}`;
    expect(n).toBe(2);
  });

  it('an email matching several interviews lists them and needs --all', async () => {
    const again = await seedFinishedInterview(run, ws.db.sql, storage(), { name: 'Grace Qvhopper', email: 'Grace.QV@example.com', ref: 'DR-3', home: ws.scratch.dir });
    const r = await run(['candidate', 'delete', '--email', grace.email]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(grace.id);
    expect(r.stdout).toContain(again.id);
    expect(r.stderr).toMatch(/2 interviews match.*--all/);
    const all = await run(['candidate', 'delete', '--email', grace.email, '--all', '--by', 'dpo', '--json']);
    expect(all.code, all.stderr).toBe(0);
    expect(ndjson<{ result: string }>(all.stdout).map((o) => o.result)).toEqual(['deleted', 'deleted']);
  });

  it('deletes everything, leaves a tombstone and a receipt, and says so again on a second run', async () => {
    const r = await run(['candidate', 'delete', '--ref', 'DR-1', '--reason', 'GDPR Art. 17 request #4411', '--by', 'dpo']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`${ada.id}: deleted \\(receipt \\d+\\): 3 storage item\\(s\\), 1 local file\\(s\\)`));
    // By the ref it had, by id and by email: already deleted, exit 0, nothing more happens.
    for (const args of [['--ref', 'DR-1'], [ada.id], ['--email', ada.email]]) {
      const again = await run(['candidate', 'delete', ...args]);
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toMatch(/already deleted/);
    }
    const receipts = await run(['candidate', 'receipts', '--json']);
    const list = JSON.parse(receipts.stdout) as { interviewId: string; status: string; by: string; reason: string; keysDeleted: { key: string }[]; localDeleted: string[]; rowsDeleted: Record<string, number> }[];
    const receipt = list.find((x) => x.interviewId === ada.id)!;
    expect(receipt).toMatchObject({ status: 'complete', by: 'dpo', reason: 'GDPR Art. 17 request #4411' });
    expect(receipt.keysDeleted.map((k) => k.key).sort()).toEqual(Object.values(ada.keys).sort());
    expect(receipt.localDeleted).toEqual([`spool/${ada.id}/${ada.spoolFile.split('/').at(-1)}`]);
    expect(receipt.rowsDeleted).toMatchObject({ utterances_deleted: 2, webhook_events_deleted: 1, hook_events_deleted: 1, hook_deliveries_deleted: 1 });
    // Downstream is told, in the same transaction: candidate.deleted is the only event left about her.
    const events = await ws.db.sql<{ type: string; data: { receipt_id: string; interview_id: string } }[]>`select type, data from hook_events where interview_id = ${ada.id}`;
    expect(events).toEqual([{ type: 'candidate.deleted', data: expect.objectContaining({ interview_id: ada.id, receipt_id: String((receipt as unknown as { id: number }).id) }) }]);
    const [{ n }] = await ws.db.sql<{ n: number }[]>`select count(*)::int as n from hook_deliveries d join hook_events e on e.seq = d.event_seq where e.interview_id = ${ada.id}`;
    expect(n).toBe(1);
    expect(JSON.stringify(list)).not.toMatch(/Zyxw|Qvhopper|zyxw@|grace\.qv/i);
    const human = await run(['candidate', 'receipts']);
    expect(human.stdout).toMatch(/RECEIPT\s+INTERVIEW/);
    const show = await run(['show', ada.id]);
    expect(show.stdout).toMatch(/deleted\s+.* by dpo \(receipt \d+\)/);
    expect(show.stdout).toMatch(/browser: erased/);
  });

  it('after the deletions, neither the database dump nor the local folders hold a name or an email', async () => {
    const { text, how } = await databaseDump(ws.db);
    // The dump holds the data that stays (the receipt's reason), so a miss would show.
    expect(text, how).toContain('GDPR Art. 17 request #4411');
    expect(text, how).toContain(ada.id);
    for (const needle of [ada.name, ada.email, 'Zyxw', grace.name, grace.email.toLowerCase(), 'Qvhopper']) expect(text.toLowerCase(), `${needle} in ${how}`).not.toContain(needle.toLowerCase());
    for (const id of [ada.id, grace.id]) {
      expect(filesUnder(join(ws.scratch.dir, 'recordings')).filter((p) => p.includes(id))).toEqual([]);
      expect(filesUnder(join(ws.scratch.dir, 'spool')).filter((p) => p.includes(id))).toEqual([]);
    }
  });

  it('exporting again gives only the tombstone, the receipt and records without personal data', async () => {
    const dir = join(ws.scratch.dir, 'export-after');
    const r = await run(['candidate', 'export', ada.id, '-o', dir]);
    expect(r.code, r.stderr).toBe(0);
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    expect(manifest.interviews).toEqual([expect.objectContaining({ id: ada.id, deleted: true })]);
    const byPath = new Map(manifest.items.map((i) => [i.path!.split('/').at(-1), i]));
    expect(byPath.get('deletion_receipt.json')).toBeDefined();
    expect(byPath.get('utterances.json')!.rows).toBe(0);
    expect(byPath.get('livekit_webhooks.json')!.rows).toBe(0);
    expect(manifest.items.some((i) => i.path!.includes('/storage/'))).toBe(false);
    const everything = filesUnder(dir).filter((f) => !f.endsWith('/')).map((f) => readFileSync(join(dir, f), 'utf8')).join('\n');
    expect(everything).not.toMatch(/Zyxw|zyxw@/i);
    const row = JSON.parse(readFileSync(join(dir, 'interviews', ada.id, 'interview.json'), 'utf8'));
    expect(row).toMatchObject({ candidate_name: '(deleted)', candidate_email: null, ref: null });
    expect(row.deleted_at).not.toBeNull();
  });

  it('a live interview is refused without --force; with it, it is ended first, then deleted', async () => {
    const live = await seedFinishedInterview(run, ws.db.sql, storage(), { name: 'Live Kxcandidate', email: 'live.kx@example.com', ref: 'DR-9', home: ws.scratch.dir });
    await ws.db.sql`update interviews set status = 'recording', completed_at = null, ended_at = null where id = ${live.id}`;
    const refused = await run(['candidate', 'delete', live.id]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toMatch(/is live \(recording\).*--force/);
    const forced = await run(['candidate', 'delete', live.id, '--force', '--wait', '1s']);
    expect(forced.code, forced.stderr).toBe(0);
    const [row] = await ws.db.sql`select status, error, candidate_name from interviews where id = ${live.id}`;
    expect(row).toMatchObject({ status: 'failed', error: 'candidate_deleted', candidateName: '(deleted)' });
    const events = await ws.db.sql`select to_status, actor from interview_events where interview_id = ${live.id} order by id`;
    expect(events.map((e) => `${e.toStatus} by ${e.actor}`)).toEqual(expect.arrayContaining(['ending by operator', 'failed by operator']));
  });

  it('a copy that turns up after the deletion (a late upload, a spool on the agent machine) is deleted too, never stored', async () => {
    const late = `recordings/${ada.id}/late.mp4`;
    await storage().put(late, Buffer.from(`late upload of ${ada.name}`), 'video/mp4');
    const r = await run(['candidate', 'delete', ada.id, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [o] = ndjson<{ result: string; receipt: { status: string; keysDeleted: { key: string }[] } }>(r.stdout);
    expect(o).toMatchObject({ result: 'deleted', receipt: { status: 'complete' } });
    expect(o!.receipt.keysDeleted.map((k) => k.key)).toContain(late);
    // The agent's spool sweep finds a leftover copy of a deleted interview: it drops it.
    const spool = join(ws.scratch.dir, 'spool');
    mkdirSync(join(spool, ada.id), { recursive: true });
    writeFileSync(join(spool, ada.id, 'left.mp4'), `spooled ${ada.name}`);
    const outcomes: { result: string }[] = [];
    await recoverSpool({ spoolDir: spool, storage: storage(), interviews: createInterviewRepo(ws.db.sql), utterances: createUtteranceRepo(ws.db.sql), actor: 'reconcile', onOutcome: (x) => outcomes.push(x) });
    expect(outcomes).toEqual([expect.objectContaining({ result: 'dropped' })]);
    expect(filesUnder(spool).filter((p) => p.includes(ada.id))).toEqual([]);
    expect(filesUnder(join(ws.scratch.dir, 'recordings')).filter((p) => p.includes(ada.id))).toEqual([]);
    const again = await run(['candidate', 'delete', ada.id]);
    expect(again.stdout).toMatch(/already deleted/);
  });
});
