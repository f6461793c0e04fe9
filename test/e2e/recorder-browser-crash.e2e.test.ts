// RECORDER=browser on the real stack (livekit-server, serve, `interviewctl agent`, Chromium,
// versitygw), issue 16: the interviewer's job process is SIGKILLed mid-interview while its worker
// lives on. What it leaves: the page's parts in storage and the job's audio witness spool. Recovery
// (`interviewctl reconcile`) stores the witness beside the recording key, fails the interview
// `agent_crashed`, joins the page's parts into the partial recording and checks it against the
// witness. What is checked is what an operator sees: status and error, the objects in the bucket
// (ffprobe), the saved recording check, and `show`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, descendants, killNow, loudness, makeBucket, probe, startAgent, type AgentHandle, type Bucket } from './helpers/faults.js';
import { addQuestionSet, joinInterview, statusPath, utterances, waitForStatus } from './helpers/interview.js';
import { eventually, nextScreen } from './helpers/page.js';
import { freePort, s3EnvFor, startStack, type Stack } from './helpers/stack.js';

const BUCKET = 'interviews';
const QUESTIONS = ['Could you tell me about your current role?', 'What would you like to learn next?'];

const ndjson = (text: string) => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('RECORDER=browser: the interviewer killed mid-interview', () => {
  let stack: Stack;
  let bucket: Bucket;
  let agent: AgentHandle;

  beforeAll(async () => {
    const s3Port = await freePort();
    const env = {
      RECORDER: 'browser',
      ...s3EnvFor(s3Port, BUCKET),
      AGENT_CANDIDATE_WAIT: '60s',
      AGENT_END_OF_TURN_SILENCE: '3s',
      // The running worker retries dead jobs' spools every AGENT_SPOOL_RETRY; here the retry under
      // test is the operator's `reconcile` (the same sweep), so the worker's waits 10 minutes.
      AGENT_SPOOL_RETRY: '10m',
    };
    stack = await startStack({ scenario: 'recorder-browser-crash', env });
    bucket = await makeBucket(stack, s3Port, s3EnvFor(s3Port, BUCKET));
    await addQuestionSet(stack, { name: 'e2e-browser-crash', questions: QUESTIONS.map((text) => ({ text, timeLimit: '15s' })) });
    agent = await startAgent(stack, 'agent.log', { env });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const keysUnder = async (prefix: string) => {
    const page = await bucket.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return (page.Contents ?? []).map((o) => o.Key!).sort();
  };

  it("the job process SIGKILLed: reconcile stores its witness, fails the interview (agent_crashed) and makes the page's parts a partial recording that matches it", async () => {
    const sub = 'job-killed';
    const dir = join(stack.artifacts, sub);
    mkdirSync(dir, { recursive: true });
    const { page, id } = await joinInterview(stack, { durationMs: 180_000, name: 'Ada Lovelace', questions: 'e2e-browser-crash' });
    await waitForStatus(stack, id, 'recording', 60_000);
    await eventually(async () => ((await utterances(stack, id)).some((r) => r.kind === 'question') ? true : undefined), { what: 'the first question asked', timeoutMs: 180_000 });
    // The candidate's first answer is logged (its time limit or a silence ends it), then the
    // interview goes on a little: both voices are in what was recorded before the kill.
    await eventually(async () => ((await utterances(stack, id)).some((r) => r.speaker === 'candidate') ? true : undefined), { what: 'the first answer logged', timeoutMs: 60_000 });
    await page.waitForTimeout(4000);
    expect((await keysUnder(`recordings/${id}/browser/s0001/`)).length, 'parts the page stored').toBeGreaterThan(0);
    await stack.screenshot(page, `${sub}/01-before-kill`);

    // The job process is the one that holds the interview's join lock (it names its pid); the
    // worker's other children are idle processes waiting for a job.
    const lock = JSON.parse(readFileSync(join(stack.home, 'spool', id, 'browser.lock'), 'utf8')) as { pid: number };
    const job = lock.pid;
    expect(job).not.toBe(agent.pid);
    expect(descendants(agent.pid).map((p) => p.pid), "the job is one of the worker's processes").toContain(job);
    const encoders = descendants(job).filter((p) => /ffmpeg/.test(p.cmd)).map((p) => p.pid);
    expect(encoders.length, 'the job records its witness with ffmpeg').toBe(1);
    killNow([job]);
    const killedAt = Date.now();
    await eventually(async () => !alive(job) || undefined, { what: 'the job process gone', timeoutMs: 5000 });
    // The witness's ffmpeg does not outlive its job: its input closed with it.
    await eventually(async () => !encoders.some(alive) || undefined, { what: 'the orphaned ffmpeg exiting', timeoutMs: 10_000 });
    expect(alive(agent.pid), 'the worker lives on').toBe(true);
    const statusAfterKill = (await stack.show(id)).status;
    // The page records on (nobody told it): recovery runs once it has stored two more parts (3 s
    // each), so all it recorded before the kill is in storage, as when the worker's sweep comes a
    // minute later. A sweep at once refuses the part in flight (the interview is failed by then).
    const partsAtKill = (await keysUnder(`recordings/${id}/browser/s0001/`)).length;
    await eventually(async () => ((await keysUnder(`recordings/${id}/browser/s0001/`)).length >= partsAtKill + 2 ? true : undefined), { what: 'two more parts from the page', timeoutMs: 30_000 });

    // Recovery: the operator's reconcile (the worker's spool retry runs the same code). No deadline
    // to wait for: a spool whose lock names a dead process is a dead job's, taken at once.
    const rec = await stack.cli(['reconcile', '--json']);
    writeFileSync(join(stack.logs, 'reconcile.txt'), `${rec.code}\n${rec.stdout}\n${rec.stderr}`);
    expect(rec.code, rec.stderr).toBe(0);
    const lines = ndjson(rec.stdout).filter((l) => l.id === id);
    expect(lines.find((l) => l.action === 'upload_spool'), JSON.stringify(lines)).toMatchObject({ applied: true, error: null, detail: expect.stringMatching(/audio witness stored, interview failed \(agent_crashed\)/) });
    // serve takes the page's last parts (the one in flight when the interview failed) for 10 s
    // more: the sweep that failed it leaves the join to a later one.
    expect(lines.find((l) => l.action === 'store_parts'), JSON.stringify(lines)).toMatchObject({ applied: false, error: null, detail: expect.stringMatching(/^the page may store its last parts until /) });
    const events = await stack.sql<{ at: Date; to_status: string; reason: string }[]>`select at, to_status, reason from interview_events where interview_id = ${id} order by id`;
    const failed = events.find((e) => e.to_status === 'failed')!;
    const partsAtFailure = (await keysUnder(`recordings/${id}/browser/s0001/`)).length;
    await page.waitForTimeout(Math.max(0, failed.at.getTime() + 15_500 - Date.now()));
    const partsAfterWindow = (await keysUnder(`recordings/${id}/browser/s0001/`)).length;
    const later = await stack.cli(['reconcile', '--json']);
    writeFileSync(join(stack.logs, 'reconcile.txt'), `${rec.code}\n${rec.stdout}\n${rec.stderr}\n--- after the window\n${later.code}\n${later.stdout}\n${later.stderr}`);
    expect(later.code, later.stderr).toBe(0);
    const laterLines = ndjson(later.stdout).filter((l) => l.id === id);
    const parts = laterLines.find((l) => l.action === 'store_parts');
    // serve's own sweep (every minute) may make the partial recording first: then it says so, or
    // the interview has its recording and this sweep has nothing to say about it.
    if (parts?.applied !== true) expect(parts ?? { error: 'moved by someone else meanwhile' }, JSON.stringify(laterLines)).toMatchObject({ error: 'moved by someone else meanwhile' });
    lines.push(...laterLines);

    const shown = await stack.show(id);
    expect(shown).toMatchObject({ status: 'failed', error: 'agent_crashed' });
    // Never completed, never stuck in recording or ending.
    expect(await statusPath(stack, id)).toEqual(['used', 'recording', 'failed']);
    expect(failed.reason).toMatch(/interviewer stopped mid-interview; its audio witness is kept and the page's parts become the partial recording/);
    expect(shown.recordingKey).toMatch(new RegExp(`^recordings/${id}/\\d{8}T\\d{6}Z_interview-${id}\\.mp4$`));
    expect(shown.transcriptKey).toBe(shown.recordingKey.replace(/\.mp4$/, '.transcript.json'));
    expect(shown.vttKey).toBe(shown.recordingKey.replace(/\.mp4$/, '.vtt'));

    // The partial recording at the SPEC key: H.264 + AAC, the whole file decodes, and as long as
    // the page recorded: all it had when the interview failed (the part in flight then too), and
    // no more than the few seconds serve takes parts after that (later parts are refused).
    const mp4 = join(dir, 'recording.mp4');
    writeFileSync(mp4, await bucket.get(shown.recordingKey));
    const media = probe(mp4);
    expect(media.codecs).toEqual(['audio:aac', 'video:h264']);
    execFileSync('ffmpeg', ['-v', 'error', '-xerror', '-i', mp4, '-f', 'null', '-']);
    const startedAt = new Date(shown.recordingStartedAt).getTime();
    const ranMs = killedAt - startedAt;
    const failedAfterMs = failed.at.getTime() - startedAt;
    // The dead job's witness, beside it: voices only, as long as the job ran (its last fragment, 2 s, may be cut).
    const witnessKey = shown.recordingKey.replace(/\.mp4$/, '.witness.m4a');
    const witness = join(dir, 'witness.m4a');
    writeFileSync(witness, await bucket.get(witnessKey));
    const heard = probe(witness);
    const transcriptText = (await bucket.get(shown.transcriptKey)).toString('utf8');
    writeFileSync(join(dir, 'transcript.json'), transcriptText);
    writeFileSync(join(dir, 'transcript.vtt'), await bucket.get(shown.vttKey));
    writeFileSync(
      join(dir, 'figures.json'),
      JSON.stringify({ statusAfterKill, ranMs, failedAfterMs, recordingMs: media.durationMs, witnessMs: heard.durationMs, partsAtFailure, partsAfterWindow, recordingCheck: shown.recordingCheck, reconcile: lines }, null, 2),
    );
    const says = `recording ${media.durationMs} ms, killed at ${ranMs} ms, failed at ${failedAfterMs} ms, parts ${partsAtFailure} at the failure and ${partsAfterWindow} after the window`;
    // The page records on (3 s parts) until it hears of the failure (its status poll, every 20 s,
    // or a part refused after the window): the part it had in flight then and the next ones in the
    // window are in, so the recording runs past the failure, however soon the page hears of it
    // (1.9 s after it in one run, 5.1 s in another). 1 s of slack: the page starts recording a
    // moment after the interview's recording start, which the failure time is counted from.
    expect(media.durationMs, says).toBeGreaterThan(failedAfterMs - 1000);
    expect(media.durationMs, says).toBeLessThan(failedAfterMs + 10_000 + 4000);
    expect(heard.codecs.every((c) => c === 'audio:aac'), heard.codecs.join(',')).toBe(true);
    expect(heard.durationMs, `witness ${heard.durationMs} ms, killed at ${ranMs} ms`).toBeGreaterThan(ranMs - 4000);
    expect(heard.durationMs, `witness ${heard.durationMs} ms, killed at ${ranMs} ms`).toBeLessThan(ranMs + 1000);

    // Both voices said before the kill are in the page's recording where the transcript puts them.
    const rows = await utterances(stack, id);
    const before = rows.filter((r) => r.end_ms - r.start_ms > 2000 && r.end_ms < ranMs - 1000);
    const levels = before.map((r) => ({ speaker: r.speaker, kind: r.kind, at: r.start_ms, db: Math.round(loudness(mp4, r.start_ms + 500, r.end_ms - 500)) }));
    writeFileSync(join(dir, 'levels.json'), JSON.stringify(levels, null, 2));
    expect(levels.map((l) => l.speaker)).toEqual(expect.arrayContaining(['agent', 'candidate']));
    for (const l of levels) expect(l.db, `${l.speaker} ${l.kind} at ${l.at} ms`).toBeGreaterThan(-40);
    const transcript = JSON.parse(transcriptText) as { utterances: { speaker: string; text: string | null }[] };
    expect(transcript.utterances.some((u) => u.text === QUESTIONS[0])).toBe(true);

    // The check against the witness is saved and agrees (speech compared, not the lengths), and show says it.
    expect(shown.recordingCheck, JSON.stringify(shown.recordingCheck)).toMatchObject({ agrees: true, witnessKey });
    expect(shown.recordingCheck.detail).toContain('a partial recording');
    const text = await stack.cli(['show', id]);
    writeFileSync(join(dir, 'show.txt'), text.stdout);
    expect(text.stdout).toMatch(/status\s+failed \(agent_crashed\)/);
    expect(text.stdout).toMatch(/recording check\s+the browser recording matches its audio witness .*a partial recording/);
    expect(text.stdout).toContain(witnessKey);
    // The dead job's spool is gone once its witness is stored; a second sweep finds nothing to do.
    expect(existsSync(join(stack.home, 'spool', id)), 'the spool folder').toBe(false);
    const again = await stack.cli(['reconcile', '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(ndjson(again.stdout).filter((l) => l.id === id)).toEqual([]);

    // The candidate, left without an interviewer, is told it has ended (the page checks the status).
    expect(await nextScreen(page, ['done', 'error'], 30_000)).toBe('error:ended');
    await stack.screenshot(page, `${sub}/02-candidate-told`);
    await page.context().close();
  }, 480_000);
});
