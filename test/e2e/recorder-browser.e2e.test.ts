// RECORDER=browser on the real stack (livekit-server, serve, `interviewctl agent`, Chromium,
// versitygw): the candidate's page records itself and stores its recording through serve part by
// part; the interviewer keeps an audio-only witness, joins the parts into the SPEC's H.264 + AAC
// MP4 and checks it against the witness.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addQuestionSet, joinInterview, statusPath, utterances, waitForStatus } from './helpers/interview.js';
import { eventually, waitForScreen } from './helpers/page.js';
import { freePort, s3EnvFor, startStack, type Stack } from './helpers/stack.js';
import { loudness, makeBucket, probe, startAgent, type Bucket } from './helpers/faults.js';
import { candidateSays, installCandidateVoice } from './helpers/candidate-voice.js';
import { onsetNear, windowLevels } from '../stack/audio-tracks.mjs';
import { makeSpeechWav } from '../stack/browser.mjs';

const BUCKET = 'interviews';

describe('RECORDER=browser on the real stack', () => {
  let stack: Stack;
  let bucket: Bucket;

  beforeAll(async () => {
    const s3Port = await freePort();
    const env = { RECORDER: 'browser', ...s3EnvFor(s3Port, BUCKET), AGENT_CANDIDATE_WAIT: '60s', AGENT_END_OF_TURN_SILENCE: '3s', AGENT_RECONNECT_GRACE: '30s' };
    stack = await startStack({ scenario: 'recorder-browser', env });
    bucket = await makeBucket(stack, s3Port, s3EnvFor(s3Port, BUCKET));
    await addQuestionSet(stack, {
      name: 'e2e-browser',
      questions: [
        { text: 'Could you tell me about your current role?', timeLimit: '15s' },
        { text: 'What would you like to learn next?', timeLimit: '15s' },
      ],
    });
    await startAgent(stack, 'agent.log', { env });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  });

  const keysUnder = async (prefix: string) => {
    const page = await bucket.client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
    return (page.Contents ?? []).map((o) => o.Key!).sort();
  };

  const endFromPage = async (page: Page) => {
    await page.locator('#end').click();
    await page.locator('#end-confirm').waitFor({ state: 'visible', timeout: 15_000 });
    await page.locator('#end-confirm').click();
    await waitForScreen(page, 'done');
  };

  const firstQuestion = (id: string) =>
    eventually(async () => ((await utterances(stack, id)).some((r) => r.kind === 'question') ? true : undefined), { what: 'the first question asked', timeoutMs: 180_000 });

  /** The stored MP4 and witness, saved under artifacts/<sub>/, with what ffprobe reads in them. */
  const stored = async (id: string, sub: string) => {
    const shown = await stack.show(id);
    expect(shown.recordingKey).toMatch(new RegExp(`^recordings/${id}/\\d{8}T\\d{6}Z_interview-${id}\\.mp4$`));
    const dir = join(stack.artifacts, sub);
    mkdirSync(dir, { recursive: true });
    const mp4 = join(dir, 'recording.mp4');
    writeFileSync(mp4, await bucket.get(shown.recordingKey));
    const witnessKey = shown.recordingKey.replace(/\.mp4$/, '.witness.m4a');
    const witness = join(dir, 'witness.m4a');
    writeFileSync(witness, await bucket.get(witnessKey));
    const transcript = JSON.parse((await bucket.get(shown.transcriptKey)).toString('utf8')) as { durationMs: number; utterances: { speaker: string; kind: string; startMs: number; endMs: number }[] };
    writeFileSync(join(dir, 'transcript.json'), JSON.stringify(transcript, null, 2));
    return { shown, mp4, witness, witnessKey, transcript };
  };

  /** Ends from the page, waits for `completed`, and reads the stored MP4 (H.264 + AAC) and how long the session ran. */
  const endedAndStored = async (page: Page, id: string, sub: string) => {
    await endFromPage(page);
    await waitForStatus(stack, id, 'completed', 120_000);
    const got = await stored(id, sub);
    const media = probe(got.mp4);
    expect(media.codecs).toEqual(['audio:aac', 'video:h264']);
    const sessionMs = new Date(got.shown.endedAt).getTime() - new Date(got.shown.recordingStartedAt).getTime();
    return { ...got, media, sessionMs };
  };

  it('a whole interview: the page records, the MP4 is H.264 + AAC with both voices, as long as the session, and matches its witness', async () => {
    const { page, id } = await joinInterview(stack, { durationMs: 180_000, name: 'Ada Lovelace', questions: 'e2e-browser' });
    await firstQuestion(id);
    await page.waitForTimeout(12_000);

    // Forged parts while it is live: no resumeKey, another live interview's resumeKey, too large.
    const other = await stack.createInterview('Mallory');
    const otherKey = 'resume-key-of-another-interview';
    await stack.sql`update interviews set status = 'recording', used_at = now(), resume_key_hash = ${createHash('sha256').update(otherKey).digest('hex')} where id = ${other.id}`;
    const put = (headers: Record<string, string>, body: Buffer) =>
      fetch(`${stack.publicUrl}/api/interviews/${id}/recording/parts/1/999`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', ...headers }, body });
    const noKey = await put({}, Buffer.alloc(100));
    expect(noKey.status).toBe(403);
    expect(await noKey.json()).toMatchObject({ error: 'forbidden', message: expect.any(String) });
    const wrongKey = await put({ 'x-resume-key': otherKey }, Buffer.alloc(100));
    expect(wrongKey.status).toBe(403);
    // Declared over the cap: refused before a byte of the body is read (so only the headers go).
    const tooBig = await new Promise<number>((resolve, reject) => {
      const req = request(`${stack.publicUrl}/api/interviews/${id}/recording/parts/1/999`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'content-length': String(5 * 1024 * 1024), 'x-resume-key': otherKey } });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.flushHeaders();
    });
    expect(tooBig).toBe(413);

    await endFromPage(page);
    await waitForStatus(stack, id, 'completed', 120_000);
    expect(await statusPath(stack, id)).toEqual(['used', 'recording', 'ending', 'completed']);

    const { shown, mp4, witness, witnessKey } = await stored(id, 'whole');
    const got = probe(mp4);
    expect(got.codecs).toEqual(['audio:aac', 'video:h264']);
    // The picture is there from the start, not only from the page's next key frame.
    expect(got.startMs.video, `video starts at ${got.startMs.video} ms`).toBeLessThan(500);
    const sessionMs = new Date(shown.endedAt).getTime() - new Date(shown.recordingStartedAt).getTime();
    expect(Math.abs(got.durationMs - sessionMs), `recording ${got.durationMs} ms vs session ${sessionMs} ms`).toBeLessThan(5000);
    // The witness: voices only, no video at all.
    expect(probe(witness).codecs).toEqual(['audio:aac', 'audio:aac', 'audio:aac']);
    // Both voices in the page's recording, where the utterances say they spoke (the page's clock
    // starts a moment before the interviewer's: half a second of slack at each end).
    const rows = await utterances(stack, id);
    const spoken = rows.filter((r) => r.end_ms - r.start_ms > 2000);
    const levels = spoken.map((r) => ({ speaker: r.speaker, kind: r.kind, at: r.start_ms, db: Math.round(loudness(mp4, r.start_ms + 500, r.end_ms - 500)) }));
    writeFileSync(join(stack.artifacts, 'whole', 'levels.json'), JSON.stringify(levels, null, 2));
    expect(levels.some((l) => l.speaker === 'agent')).toBe(true);
    expect(levels.some((l) => l.speaker === 'candidate')).toBe(true);
    for (const l of levels) expect(l.db, `${l.speaker} ${l.kind} at ${l.at} ms`).toBeGreaterThan(-40);
    // The check against the witness, shown to a person.
    expect(shown.recordingCheck).toMatchObject({ agrees: true, witnessKey });
    const text = await stack.cli(['show', id]);
    expect(text.stdout).toMatch(/recording check\s+the browser recording matches its audio witness/);
    // One segment, complete, parts in order.
    const parts = await keysUnder(`recordings/${id}/browser/`);
    expect(parts).toContain(`recordings/${id}/browser/s0001.done.json`);
    expect(parts.filter((k) => k.includes('/s0002'))).toEqual([]);
    // A part replayed once the interview is over is refused, and nothing changed.
    const late = await fetch(`${stack.publicUrl}/api/interviews/${id}/recording/parts/1/1`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream', 'x-resume-key': 'x' }, body: Buffer.alloc(10) });
    expect([403, 410]).toContain(late.status);
    await page.context().close();
  }, 480_000);

  it('a reload mid-way: one recording of two segments, no gap beyond the reload, still matching its witness, and the words after it where the file has them', async () => {
    // A candidate who speaks only when told: the recording's silences then show where each line begins.
    const answer = makeSpeechWav('I would like to learn more about distributed systems and how to test them well.', join(stack.artifacts, 'voice', 'answer.wav'), { padSeconds: 0.2 });
    const { page, id } = await joinInterview(stack, { durationMs: 180_000, name: 'Grace Hopper', questions: 'e2e-browser', beforeGoto: installCandidateVoice });
    await firstQuestion(id);
    await page.waitForTimeout(8000);
    // A reload on a slow network: the rejoin takes 5 s more, and the page is away that long.
    await page.route('**/api/interviews/*/join', async (route) => {
      await new Promise((r) => setTimeout(r, 5000));
      await route.continue();
    });
    const reloadAt = Date.now();
    await page.reload();
    await waitForScreen(page, 'interview', { timeoutMs: 30_000 });
    await eventually(async () => ((await keysUnder(`recordings/${id}/browser/s0002/`)).length > 0 ? true : undefined), { what: 'the second segment storing parts', timeoutMs: 30_000 });
    await page.unroute('**/api/interviews/*/join');
    const backAfterMs = Date.now() - reloadAt;
    // After the reload: the second question, and an answer to it.
    await eventually(async () => ((await utterances(stack, id)).some((r) => r.kind === 'question' && r.question_index === 1) ? true : undefined), { what: 'the second question asked', timeoutMs: 60_000 });
    await page.waitForTimeout(2000);
    await candidateSays(page, answer);
    await eventually(async () => ((await utterances(stack, id)).some((r) => r.speaker === 'candidate' && r.question_index === 1) ? true : undefined), { what: 'the answer to the second question', timeoutMs: 30_000 });
    // The utterances as the interviewer timed them while it ran (its clock went on through the reload).
    const live = await utterances(stack, id);
    await stack.screenshot(page, 'reload-interview');
    await endFromPage(page).catch(() => waitForScreen(page, 'done')); // the last answer may close the interview first
    await waitForStatus(stack, id, 'completed', 120_000);

    const { shown, mp4, transcript } = await stored(id, 'reload');
    const got = probe(mp4);
    expect(got.codecs).toEqual(['audio:aac', 'video:h264']);
    const sessionMs = new Date(shown.endedAt).getTime() - new Date(shown.recordingStartedAt).getTime();
    // The reload's time is missing from the file, nothing else.
    expect(got.durationMs).toBeLessThan(sessionMs + 3000);
    expect(got.durationMs, `recording ${got.durationMs} ms, session ${sessionMs} ms, back after ${backAfterMs} ms`).toBeGreaterThan(sessionMs - backAfterMs - 5000);
    // The whole file decodes (no broken join).
    execFileSync('ffmpeg', ['-v', 'error', '-xerror', '-i', mp4, '-f', 'null', '-']);
    const keys = await keysUnder(`recordings/${id}/browser/`);
    expect(keys).toEqual(expect.arrayContaining([`recordings/${id}/browser/s0001.done.json`, `recordings/${id}/browser/s0002.done.json`]));
    expect(shown.recordingCheck).toMatchObject({ agrees: true });

    // Words said once the page was back are where the stored MP4 has them: each line that follows
    // a silence begins in the file within half a second of its transcript offset. The offsets
    // the interviewer kept while it ran are later by the time the page was away.
    const rows = await utterances(stack, id);
    const byStart = [...rows].sort((a, b) => a.start_ms - b.start_ms || a.seq - b.seq);
    expect(transcript.utterances.map((u) => [u.speaker, u.startMs, u.endMs])).toEqual(byStart.map((r) => [r.speaker, r.start_ms, r.end_ms]));
    expect(transcript.durationMs, 'the transcript is as long as the file').toBeGreaterThan(got.durationMs - 1000);
    const backAtMs = reloadAt + backAfterMs - new Date(shown.recordingStartedAt).getTime();
    const levels = windowLevels(mp4);
    const checked = rows
      .map((r, i) => ({ r, before: rows[i - 1], was: live.find((l) => l.seq === r.seq) }))
      .filter(({ r, before, was }) => was !== undefined && was.start_ms > backAtMs && r.end_ms < got.durationMs - 500 && (!before || before.end_ms < r.start_ms - 1200))
      .map(({ r, was }) => {
        const heardAt = onsetNear(levels, r.start_ms);
        const heardAtBefore = onsetNear(levels, was!.start_ms);
        return { seq: r.seq, speaker: r.speaker, kind: r.kind, startMs: r.start_ms, heardAt, offBy: heardAt === undefined ? null : heardAt - r.start_ms, liveStartMs: was!.start_ms, liveOffBy: heardAtBefore === undefined ? null : heardAtBefore - was!.start_ms };
      });
    writeFileSync(join(stack.artifacts, 'reload', 'onsets.json'), JSON.stringify({ backAtMs, backAfterMs, sessionMs, recordingMs: got.durationMs, checked }, null, 2));
    expect(checked.map((c) => c.speaker)).toEqual(expect.arrayContaining(['agent', 'candidate']));
    // The reload left a gap the offsets had to make up for (else this check would prove nothing).
    for (const c of checked) expect(c.liveStartMs - c.startMs, `seq ${c.seq} moved`).toBeGreaterThan(1000);
    for (const c of checked) expect(Math.abs(c.offBy ?? Infinity), `${c.speaker} ${c.kind} at ${c.startMs} ms is heard from ${c.heardAt} ms`).toBeLessThan(500);
    await page.context().close();
  }, 480_000);

  it('storage down for a while: the page retries its parts and nothing is lost', async () => {
    const { page, id } = await joinInterview(stack, { durationMs: 180_000, name: 'Alan Turing', questions: 'e2e-browser' });
    await firstQuestion(id);
    await page.waitForTimeout(4000);
    await bucket.stop();
    await page.waitForTimeout(12_000);
    await bucket.start();
    await page.waitForTimeout(8000);
    await endFromPage(page);
    await waitForStatus(stack, id, 'completed', 120_000);
    const { shown, mp4 } = await stored(id, 'storage-down');
    const got = probe(mp4);
    expect(got.codecs).toEqual(['audio:aac', 'video:h264']);
    const sessionMs = new Date(shown.endedAt).getTime() - new Date(shown.recordingStartedAt).getTime();
    expect(Math.abs(got.durationMs - sessionMs), `recording ${got.durationMs} ms vs session ${sessionMs} ms`).toBeLessThan(5000);
    expect(shown.recordingCheck).toMatchObject({ agrees: true });
    expect(stack.serveLog()).toMatch(/storage_unavailable|service unavailable/);
    await page.context().close();
  }, 480_000);

  it("the page's network cut for a while and restored: its parts are retried, nothing is lost, the recording matches its witness", async () => {
    const { page, id } = await joinInterview(stack, { durationMs: 180_000, name: 'Katherine Johnson', questions: 'e2e-browser' });
    // Part uploads the cut made fail in the page (each is sent again until stored).
    const failedParts = new Set<string>();
    page.on('requestfailed', (req) => {
      const m = /\/recording\/parts\/(\d+)\/(\d+)$/.exec(new URL(req.url()).pathname);
      if (m) failedParts.add(`${m[1]}/${m[2]}`);
    });
    await firstQuestion(id);
    await page.waitForTimeout(4000);
    // Offline as DevTools makes it (Network.emulateNetworkConditions): the page's requests fail.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const offline = (on: boolean) => cdp.send('Network.emulateNetworkConditions', { offline: on, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await offline(true);
    const cutAt = Date.now();
    await page.waitForTimeout(6000);
    await stack.screenshot(page, 'network-cut-offline');
    await page.waitForTimeout(6000);
    await offline(false);
    const cutMs = Date.now() - cutAt;
    await page.waitForTimeout(10_000);
    await stack.screenshot(page, 'network-cut-restored');
    const { shown, mp4, transcript, media: got, sessionMs } = await endedAndStored(page, id, 'network-cut');
    const segments = (await keysUnder(`recordings/${id}/browser/`)).filter((k) => /\/s\d{4}\.json$/.test(k)).length;
    writeFileSync(join(stack.artifacts, 'network-cut', 'figures.json'), JSON.stringify({ cutMs, sessionMs, recordingMs: got.durationMs, segments, failedParts: [...failedParts], transcriptMs: transcript.durationMs }, null, 2));
    // The page kept recording through the cut: the file is as long as the session.
    expect(Math.abs(got.durationMs - sessionMs), `recording ${got.durationMs} ms vs session ${sessionMs} ms, cut ${cutMs} ms, ${segments} segment(s)`).toBeLessThan(5000);
    execFileSync('ffmpeg', ['-v', 'error', '-xerror', '-i', mp4, '-f', 'null', '-']);
    // The cut made part uploads fail, and every one of them was stored afterwards; each segment's
    // parts run 1..n without a hole, and the page completed it with all n.
    expect(failedParts.size, 'part uploads that failed during the cut').toBeGreaterThan(0);
    const keys = await keysUnder(`recordings/${id}/browser/`);
    for (const part of failedParts) {
      const [seg, n] = part.split('/').map(Number) as [number, number];
      expect(keys, `part ${part}, failed during the cut`).toContain(`recordings/${id}/browser/s${String(seg).padStart(4, '0')}/p${String(n).padStart(6, '0')}.bin`);
    }
    for (let seg = 1; seg <= segments; seg++) {
      const s = `recordings/${id}/browser/s${String(seg).padStart(4, '0')}`;
      const parts = keys.filter((k) => k.startsWith(`${s}/p`)).map((k) => Number(/p(\d{6})\.bin$/.exec(k)![1]));
      expect(parts, `segment ${seg}'s parts`).toEqual(parts.map((_, i) => i + 1));
      const done = JSON.parse((await bucket.get(`${s}.done.json`)).toString('utf8')) as { parts: number; closedBy: string };
      expect(done, `segment ${seg} of ${segments}`).toMatchObject({ parts: parts.length, closedBy: 'page' });
    }
    expect(shown.recordingCheck).toMatchObject({ agrees: true });
    await page.context().close();
  }, 480_000);

  it('a network cut that LiveKit gives up on: the page rejoins in a new segment, and every part the cut held back is stored', async () => {
    const { page, id } = await joinInterview(stack, { durationMs: 180_000, name: 'Dorothy Vaughan', questions: 'e2e-browser' });
    const failedParts = new Set<string>();
    const refusedParts: string[] = [];
    const partOf = (url: string) => /\/recording\/parts\/(\d+)\/(\d+)$/.exec(new URL(url).pathname);
    page.on('requestfailed', (req) => {
      const m = partOf(req.url());
      if (m) failedParts.add(`${m[1]}/${m[2]}`);
    });
    page.on('response', (res) => {
      const m = partOf(res.url());
      if (m && res.status() >= 400) refusedParts.push(`${m[1]}/${m[2]}: ${res.status()}`);
    });
    await firstQuestion(id);
    await page.waitForTimeout(4000);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.enable');
    const offline = (on: boolean) => cdp.send('Network.emulateNetworkConditions', { offline: on, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await offline(true);
    const cutAt = Date.now();
    // DevTools' offline leaves the open LiveKit connection alone; a real cut long enough drops it
    // (livekit-client gives up after its reconnect attempts): the page has to rejoin.
    await stack.rooms.removeParticipant(`interview-${id}`, `candidate-${id}`);
    await page.waitForTimeout(10_000);
    await offline(false);
    const cutMs = Date.now() - cutAt;
    await eventually(async () => ((await keysUnder(`recordings/${id}/browser/s0002/`)).length > 0 ? true : undefined), { what: 'the rejoined page storing a second segment', timeoutMs: 40_000 });
    await page.waitForTimeout(6000);
    await stack.screenshot(page, 'network-cut-rejoin');
    const { shown, mp4, transcript, media: got, sessionMs } = await endedAndStored(page, id, 'network-cut-rejoin');
    const keys = await keysUnder(`recordings/${id}/browser/`);
    const done = await Promise.all(['s0001', 's0002'].map(async (s) => JSON.parse((await bucket.get(`recordings/${id}/browser/${s}.done.json`)).toString('utf8')) as { parts: number; closedBy: string }));
    writeFileSync(join(stack.artifacts, 'network-cut-rejoin', 'figures.json'), JSON.stringify({ cutMs, sessionMs, recordingMs: got.durationMs, failedParts: [...failedParts], refusedParts, done, transcriptMs: transcript.durationMs }, null, 2));
    // Nothing the page recorded was refused: the first segment took all its parts, the held-back
    // ones too, before the second was opened; the page completed both.
    expect(refusedParts).toEqual([]);
    expect(failedParts.size, 'part uploads that failed during the cut').toBeGreaterThan(0);
    for (const part of failedParts) {
      const [seg, n] = part.split('/').map(Number) as [number, number];
      expect(keys, `part ${part}, failed during the cut`).toContain(`recordings/${id}/browser/s${String(seg).padStart(4, '0')}/p${String(n).padStart(6, '0')}.bin`);
    }
    expect(done.map((d) => d.closedBy)).toEqual(['page', 'page']);
    // The page recorded through the cut and went on in the next segment at once: the file is as
    // long as the session.
    expect(Math.abs(got.durationMs - sessionMs), `recording ${got.durationMs} ms vs session ${sessionMs} ms, cut ${cutMs} ms`).toBeLessThan(5000);
    execFileSync('ffmpeg', ['-v', 'error', '-xerror', '-i', mp4, '-f', 'null', '-']);
    expect(shown.recordingCheck).toMatchObject({ agrees: true });
    await page.context().close();
  }, 480_000);

  it('a candidate who vanishes: what the page stored is a playable partial MP4, and the interview fails with recording_incomplete', async () => {
    const { page, id } = await joinInterview(stack, { durationMs: 180_000, name: 'Ada Byron', questions: 'e2e-browser' });
    await firstQuestion(id);
    await page.waitForTimeout(8000);
    await page.context().close(); // the tab is gone, with whatever it had not stored yet
    await waitForStatus(stack, id, 'failed', 180_000);
    const { shown, mp4 } = await stored(id, 'vanished');
    expect(shown.error).toBe('recording_incomplete');
    const events = await stack.sql<{ reason: string }[]>`select reason from interview_events where interview_id = ${id} and to_status = 'failed'`;
    expect(events[0]!.reason).toMatch(/the candidate's page stopped before its recording was complete; the \d+ s it stored are kept/);
    const got = probe(mp4);
    expect(got.codecs).toEqual(['audio:aac', 'video:h264']);
    expect(got.durationMs).toBeGreaterThan(5000);
    execFileSync('ffmpeg', ['-v', 'error', '-xerror', '-i', mp4, '-f', 'null', '-']);
    // Shorter than the witness by nature (the page stopped): its speech is compared, not its length.
    expect(shown.recordingCheck, JSON.stringify(shown.recordingCheck)).toMatchObject({ agrees: true });
    expect(shown.recordingCheck.detail).toContain('a partial recording');
  }, 480_000);
});
