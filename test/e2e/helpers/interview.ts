// Shared steps of the AI-interview scenarios: join as the candidate, read what the agent wrote,
// and check a stored recording from the outside (ffprobe, decoded audio levels).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { eventually, waitForScreen } from './page.js';
import type { Stack } from './stack.js';
import { audioTracks, trackLevel } from '../../stack/audio-tracks.mjs';

export interface UtteranceRow {
  seq: number;
  speaker: 'agent' | 'candidate';
  kind: string;
  question_index: number | null;
  text: string | null;
  start_ms: number;
  end_ms: number;
}

/** Adds a question set from `{name, questions}`. */
export async function addQuestionSet(stack: Stack, set: { name: string; questions: ({ text: string; timeLimit: string } & Record<string, unknown>)[]; [k: string]: unknown }) {
  const file = join(stack.home, `${set.name}.json`);
  writeFileSync(file, JSON.stringify({ lang: 'en', ...set }));
  const added = await stack.cli(['questions', 'add', file]);
  expect(added.code, added.stderr).toBe(0);
}

/** Creates an interview, opens it, consents and joins; returns the page and the id. */
export async function joinInterview(stack: Stack, opts: { durationMs: number; name: string; questions: string; extra?: string[]; beforeGoto?: (page: Page) => Promise<void> }) {
  const created = await stack.createInterview(opts.name, ['--duration', '1m', '--questions', opts.questions, ...(opts.extra ?? [])]);
  // The CLI's shortest duration is a minute; some scenarios want another length.
  await stack.sql`update interviews set duration_ms = ${opts.durationMs} where id = ${created.id}`;
  const { page } = await stack.newPage();
  await opts.beforeGoto?.(page);
  await page.goto(created.url);
  await waitForScreen(page, 'preflight');
  await page.locator('#consent').check();
  await eventually(() => page.locator('#join').isEnabled(), { what: '#join enabled' });
  await page.locator('#join').click();
  await waitForScreen(page, 'interview');
  return { page, id: created.id as string };
}

export function utterances(stack: Stack, id: string) {
  return stack.sql<UtteranceRow[]>`select seq, speaker, kind, question_index, text, start_ms, end_ms from utterances where interview_id = ${id} order by seq`;
}

/** The statuses an interview went through (notes without a change left out). */
export async function statusPath(stack: Stack, id: string): Promise<string[]> {
  const rows = await stack.sql<{ to_status: string; from_status: string | null }[]>`
    select from_status, to_status from interview_events where interview_id = ${id} order by id`;
  return rows.filter((r) => r.from_status !== r.to_status).map((r) => r.to_status);
}

export async function waitForStatus(stack: Stack, id: string, status: string, timeoutMs: number) {
  await eventually(async () => ((await stack.show(id)).status === status ? true : undefined), { what: `the interview ${status}`, timeoutMs, intervalMs: 500 });
}

/** When the agent logged that the conversation was over for this interview (ms epoch). */
export function agentStopTime(agentLog: string, id: string): number | undefined {
  for (const line of agentLog.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const rec = JSON.parse(line) as { msg?: string; interview_id?: string; ts?: string };
      if (rec.msg === 'conversation over' && rec.interview_id === id) return new Date(rec.ts!).getTime();
    } catch {
      // another process's line
    }
  }
  return undefined;
}

/**
 * Saves the recording and transcript under artifacts/<scenario>/<sub>/ and checks them: keys,
 * H.264 + AAC, length ≈ session, audio loud wherever an utterance says someone spoke.
 */
export async function checkRecording(stack: Stack, getObject: (key: string) => Promise<Buffer>, id: string, sub: string, opts: { candidateSilentWhileAgentSpeaks?: boolean } = {}) {
  const shown = await stack.show(id);
  expect(shown.recordingKey).toMatch(new RegExp(`^recordings/${id}/\\d{8}T\\d{6}Z_interview-${id}\\.mp4$`));
  expect(shown.transcriptKey).toBe(shown.recordingKey.replace(/\.mp4$/, '.transcript.json'));
  expect(shown.vttKey).toBe(shown.recordingKey.replace(/\.mp4$/, '.vtt'));
  const dir = join(stack.artifacts, sub);
  mkdirSync(dir, { recursive: true });
  const mp4 = join(dir, 'recording.mp4');
  writeFileSync(mp4, await getObject(shown.recordingKey));
  const transcript = JSON.parse((await getObject(shown.transcriptKey)).toString('utf8'));
  writeFileSync(join(dir, 'transcript.json'), JSON.stringify(transcript, null, 2));
  const vtt = (await getObject(shown.vttKey)).toString('utf8');
  writeFileSync(join(dir, 'transcript.vtt'), vtt);
  expect(vtt.startsWith('WEBVTT')).toBe(true);

  const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-show_format', '-of', 'json', mp4], { encoding: 'utf8' }));
  const codecs = probe.streams.map((s: { codec_type: string; codec_name: string }) => `${s.codec_type}:${s.codec_name}`).sort();
  expect(codecs).toEqual(['audio:aac', 'audio:aac', 'audio:aac', 'video:h264']);
  // The mix first (the default track players play), then each voice alone, labelled.
  const tracks = audioTracks(mp4);
  expect(tracks.map((t: { label: string; default: boolean }) => [t.label, t.default])).toEqual([['mix', true], ['interviewer', false], ['candidate', false]]);
  const lengthMs = Number(probe.format.duration) * 1000;
  const sessionMs = new Date(shown.endedAt).getTime() - new Date(shown.recordingStartedAt).getTime();
  expect(Math.abs(lengthMs - sessionMs), `recording ${lengthMs} ms vs session ${sessionMs} ms`).toBeLessThan(3000);

  // The candidate's camera at the size and rate the README states (640x360, 15 fps), and a
  // picture in it mid-session (Chromium's fake camera pattern), not the black the recorder writes
  // while it has no frame.
  const video = probe.streams.find((s: { codec_type: string }) => s.codec_type === 'video');
  expect([video.width, video.height, video.r_frame_rate]).toEqual([640, 360, '15/1']);
  const luma = execFileSync('ffmpeg', ['-v', 'error', '-ss', String(lengthMs / 2000), '-i', mp4, '-frames:v', '1', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { maxBuffer: 16 * 1024 * 1024 });
  const mean = luma.reduce((a, v) => a + v, 0) / luma.length;
  const spread = Math.sqrt(luma.reduce((a, v) => a + (v - mean) ** 2, 0) / luma.length);
  writeFileSync(join(dir, 'mid-frame.gray'), luma);
  expect(luma.length).toBe(640 * 360);
  expect(spread, `mid-session frame: luma mean ${mean.toFixed(1)}, spread ${spread.toFixed(1)}`).toBeGreaterThan(5);

  // Audio levels where each utterance was said, from the decoded MP4 (16 kHz mono PCM).
  const pcm = execFileSync('ffmpeg', ['-v', 'error', '-i', mp4, '-vn', '-ac', '1', '-ar', '16000', '-f', 's16le', 'pipe:1'], { maxBuffer: 64 * 1024 * 1024 });
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, Math.floor(pcm.byteLength / 2));
  const dbfs = (fromMs: number, toMs: number) => {
    const a = Math.max(0, Math.floor((fromMs / 1000) * 16000));
    const b = Math.min(samples.length, Math.floor((toMs / 1000) * 16000));
    let sum = 0;
    for (let i = a; i < b; i++) sum += samples[i]! * samples[i]!;
    return 10 * Math.log10(sum / Math.max(1, b - a) / 32768 ** 2 + 1e-12);
  };
  const rows = await utterances(stack, id);
  const levels = rows.map((u) => ({ speaker: u.speaker, kind: u.kind, start: u.start_ms, end: u.end_ms, dbfs: Math.round(dbfs(u.start_ms + 200, u.end_ms - 200)) }));
  writeFileSync(join(dir, 'levels.json'), JSON.stringify(levels, null, 2));
  const agentLevels = levels.filter((l) => l.speaker === 'agent' && l.end - l.start > 1000);
  const candidateLevels = levels.filter((l) => l.speaker === 'candidate' && l.end - l.start > 1000);
  expect(agentLevels.length).toBeGreaterThan(0);
  expect(candidateLevels.length).toBeGreaterThan(0);
  for (const l of [...agentLevels, ...candidateLevels]) expect(l.dbfs, `${l.speaker} ${l.kind} at ${l.start} ms`).toBeGreaterThan(-40);
  // Each voice's own track, over the stored utterance times (ffmpeg volumedetect): the
  // interviewer's is loud in its turns and near silent in the candidate's; the candidate's is loud
  // in theirs, and near silent in the interviewer's when the candidate kept quiet then (a
  // controlled voice; Chromium's looping fake microphone talks all the time).
  const perTrack = [...agentLevels, ...candidateLevels].map((l) => ({
    ...l,
    interviewerDb: trackLevel(mp4, 1, l.start + 200, l.end - 200).meanDb,
    candidateDb: trackLevel(mp4, 2, l.start + 200, l.end - 200).meanDb,
  }));
  writeFileSync(join(dir, 'track-levels.json'), JSON.stringify(perTrack, null, 2));
  for (const l of perTrack) {
    const at = `${l.speaker} ${l.kind} at ${l.start}-${l.end} ms`;
    if (l.speaker === 'agent') {
      expect(l.interviewerDb, `interviewer track, ${at}`).toBeGreaterThan(-40);
      if (opts.candidateSilentWhileAgentSpeaks) expect(l.candidateDb, `candidate track, ${at}`).toBeLessThan(-60);
    } else {
      expect(l.candidateDb, `candidate track, ${at}`).toBeGreaterThan(-40);
      expect(l.interviewerDb, `interviewer track, ${at}`).toBeLessThan(-60);
    }
  }
  // The transcript holds the same utterances, with speakers, offsets and text where known.
  expect(transcript.utterances.map((u: { speaker: string; text: string | null }) => [u.speaker, u.text])).toEqual(
    [...rows].sort((a, b) => a.start_ms - b.start_ms || a.seq - b.seq).map((r) => [r.speaker, r.text]),
  );
  return { rows, transcript, vtt, lengthMs, sessionMs };
}
