// A finished interview with everything a real one leaves behind, for the data-rights tests: the
// row, events (one reason typed by an operator), a consent, utterances, a LiveKit webhook body,
// the recording, transcript and captions in storage, and a spooled copy on the local disk. The
// candidate's name and email are put into every one of them, so a search for either after a
// deletion finds any place that was missed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sql } from '../../../cli/adapters/db/connect.js';
import type { ObjectStorage } from '../../../cli/adapters/storage/storage.js';
import { recordingKeys } from '../../../cli/core/keys.js';
import type { CliResult } from './cli.js';
import type { TestDatabase } from './db.js';

export interface SeededCandidate {
  id: string;
  name: string;
  email: string;
  ref: string;
  keys: { video: string; transcript: string; vtt: string };
  spoolFile: string;
}

/** A few hundred KiB that are not a real MP4 but carry the name, as a recording would in its metadata. */
function fakeVideo(name: string): Buffer {
  const head = Buffer.from(`\0\0\0 ftypisom title=${name}\n`);
  const body = Buffer.alloc(300 * 1024);
  for (let i = 0; i < body.length; i++) body[i] = (i * 31 + 7) & 0xff;
  return Buffer.concat([head, body]);
}

export async function seedFinishedInterview(
  run: (args: string[]) => Promise<CliResult>,
  sql: Sql,
  storage: ObjectStorage,
  opts: { name: string; email: string; ref: string; home: string; version?: string },
): Promise<SeededCandidate> {
  const created = await run(['create', '--name', opts.name, '--email', opts.email, '--ref', opts.ref, '--json']);
  if (created.code !== 0) throw new Error(`create failed: ${created.stderr}`);
  const id = (JSON.parse(created.stdout) as { id: string }).id;
  const started = new Date(Date.now() - 30 * 60_000);
  const { video, transcript: transcriptKey, vtt } = recordingKeys(id, `interview-${id}`, started);
  const keys = { video, transcript: transcriptKey, vtt };
  await sql`
    update interviews set status = 'completed', used_at = ${started}, candidate_joined_at = ${started}, recording_started_at = ${started},
      ended_at = now(), completed_at = now(), recording_key = ${keys.video}, transcript_key = ${keys.transcript}, vtt_key = ${keys.vtt}
    where id = ${id}`;
  await sql`
    insert into interview_events (interview_id, from_status, to_status, actor, reason) values
      (${id}, 'created', 'used', 'candidate', 'first join'),
      (${id}, 'recording', 'ending', 'operator', ${`${opts.name} asked by phone to stop`}),
      (${id}, 'ending', 'completed', 'agent', 'recording and transcript stored')`;
  await sql`
    insert into consents (interview_id, version, lang, user_agent)
    values (${id}, ${opts.version ?? 'f'.repeat(64)}, 'en', ${`Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0 ${opts.email}`})`;
  const said = [`Hello, I am ${opts.name}.`, `You can reach me at ${opts.email}.`];
  for (const [seq, text] of said.entries()) {
    await sql`
      insert into utterances (interview_id, seq, speaker, kind, question_index, text, start_ms, end_ms)
      values (${id}, ${seq}, 'candidate', 'answer', 0, ${text}, ${seq * 5000}, ${seq * 5000 + 4000})`;
  }
  const body = JSON.stringify({ event: 'participant_joined', id: `EV_${id}`, room: { name: `interview-${id}` }, participant: { identity: `candidate-${id}`, name: opts.name } });
  await sql`
    insert into webhook_events (id, event, room_name, interview_id, participant_identity, body, applied_at)
    values (${`EV_${id}`}, 'participant_joined', ${`interview-${id}`}, ${id}, ${`candidate-${id}`}, ${body}, now())`;
  await storage.put(keys.video, fakeVideo(opts.name), 'video/mp4');
  const transcript = { interviewId: id, utterances: said.map((text, seq) => ({ seq, speaker: 'candidate', text })) };
  await storage.put(keys.transcript, JSON.stringify(transcript), 'application/json');
  await storage.put(keys.vtt, `WEBVTT\n\n00:00.000 --> 00:04.000\n${said[0]}\n`, 'text/vtt');
  const spoolDir = join(opts.home, 'spool', id);
  mkdirSync(spoolDir, { recursive: true });
  const spoolFile = join(spoolDir, keys.video.split('/').at(-1)!);
  writeFileSync(spoolFile, fakeVideo(opts.name));
  return { id, name: opts.name, email: opts.email, ref: opts.ref, keys, spoolFile };
}

/**
 * Every row of every table of the database as text: a logical dump of the data, as pg_dump's data
 * section would have it. Used when no pg_dump as new as the server is installed (pg_dump refuses a
 * newer server; the embedded cluster is PostgreSQL 18, Debian 12 ships pg_dump 15).
 */
export async function dumpAllRows(sql: Sql): Promise<string> {
  const tables = await sql<{ schema: string; name: string }[]>`
    select table_schema as schema, table_name as name from information_schema.tables
    where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`;
  let out = '';
  for (const t of tables) {
    const rows = await sql<{ r: string }[]>`select x::text as r from ${sql(t.schema)}.${sql(t.name)} x`;
    out += `-- ${t.schema}.${t.name}\n${rows.map((r) => r.r).join('\n')}\n`;
  }
  return out;
}

/**
 * The database as a privacy officer would search it: `pg_dump` when one at least as new as the
 * server is installed, else every row of every table (dumpAllRows). Says which it was.
 */
export async function databaseDump(db: TestDatabase): Promise<{ text: string; how: string }> {
  const [{ v }] = await db.sql<{ v: number }[]>`select current_setting('server_version_num')::int / 10000 as v`;
  const candidates = ['pg_dump', ...(existsSync('/usr/lib/postgresql') ? readdirSync('/usr/lib/postgresql').map((d) => `/usr/lib/postgresql/${d}/bin/pg_dump`) : [])];
  for (const bin of candidates) {
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    const major = Number(/(\d+)\./.exec(version.stdout ?? '')?.[1]);
    if (version.status !== 0 || !(major >= v)) continue;
    const env = { ...process.env, ...db.env, PGDATABASE: db.name };
    const url = db.env.DATABASE_URL!;
    const res = spawnSync(bin, ['--no-owner', ...(url.startsWith('postgres:///') ? [] : [url])], { env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    if (res.status !== 0) throw new Error(`${bin} failed: ${res.stderr}`);
    return { text: res.stdout, how: `${bin} ${major}` };
  }
  return { text: await dumpAllRows(db.sql), how: `every row of every table (no pg_dump ${v} or newer installed)` };
}

/** Every file and folder (with a trailing /) under a folder, as paths relative to it. */
export function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  const visit = (rel: string) => {
    for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        out.push(`${r}/`);
        visit(r);
      } else out.push(r);
    }
  };
  visit('');
  return out;
}
