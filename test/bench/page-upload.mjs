// RECORDER=browser for the synthetic candidates of bench:agent and bench:agent-cpu: what the
// candidate page's recorder (web-lite/src/page-recorder.ts) sends serve, without a browser.
// One real recording is made per run with ffmpeg (a moving test pattern, 640x360 at 30 fps,
// ~1.2 Mb/s H.264 with a key frame every 3 s, and a quiet tone in Opus, as fragmented MP4: what
// Chrome's MediaRecorder makes for `video/mp4;codecs=avc1,opus`), cut at its fragments, so each
// part is ~3 s of recording like one MediaRecorder timeslice. A candidate opens a segment, sends
// a part every 3 s (in order, retried like the page), and when the interviewer sets its
// `interviewctl.recording` attribute to `stop` (or the conversation is over) sends the next part
// and completes the segment.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const PAGE_MIME = 'video/mp4;codecs=avc1,opus';
const PART_MS = 3_000;
const RETRY_DELAYS_MS = [500, 1_000, 2_000, 4_000, 8_000];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A fragmented MP4 of `seconds` made with ffmpeg, as its parts: the first holds the header (ftyp,
 * moov) and the first fragment, each other one fragment (moof + mdat), ~3 s each.
 */
export function makePageRecording(path, seconds = 180) {
  const ff = spawnSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-nostdin', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30:duration=${seconds}`,
    // Quiet (below the witness check's speech level): room noise, not a voice the witness lacks.
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds},volume=0.01`,
    '-c:v', 'libx264', '-preset', 'veryfast', '-b:v', '1200k', '-maxrate', '1500k', '-bufsize', '2400k', '-pix_fmt', 'yuv420p',
    '-g', '90', '-keyint_min', '90', '-sc_threshold', '0',
    '-c:a', 'libopus', '-b:a', '96k', '-ac', '1',
    '-movflags', '+frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', path,
  ], { encoding: 'utf8' });
  if (ff.status !== 0) throw new Error(`ffmpeg could not make the page's recording: ${ff.stderr || ff.error?.message}`);
  return fragmentsOf(readFileSync(path));
}

/** Cuts a fragmented MP4 at its top-level boxes: [header + first fragment, fragment, …]. */
export function fragmentsOf(buf) {
  const boxes = [];
  for (let at = 0; at + 8 <= buf.length; ) {
    let size = buf.readUInt32BE(at);
    if (size === 1) size = Number(buf.readBigUInt64BE(at + 8));
    else if (size === 0) size = buf.length - at;
    if (size < 8) throw new Error(`bad MP4 box at byte ${at}`);
    boxes.push({ type: buf.toString('latin1', at + 4, at + 8), at, end: at + size });
    at += size;
  }
  const parts = [];
  let from = 0;
  for (let i = 0; i < boxes.length; i++) {
    // A part ends after each mdat that follows a moof (one fragment).
    if (boxes[i].type === 'mdat' && boxes[i - 1]?.type === 'moof') {
      parts.push(buf.subarray(from, boxes[i].end));
      from = boxes[i].end;
    }
  }
  if (parts.length === 0) throw new Error('the page recording has no fragments');
  return parts;
}

/**
 * Starts recording like the page for one joined candidate; `stop()` sends the next part, completes
 * the segment and resolves with what was sent. Never rejects: a failure is in `error`.
 */
export function startPageUpload({ serveUrl, id, resumeKey, parts }) {
  const base = `${serveUrl}/api/interviews/${encodeURIComponent(id)}/recording`;
  const out = { parts: 0, bytes: 0, completed: false, error: undefined };
  let stopping = false;
  let wake = () => {};

  async function send(method, path, body, type) {
    for (let attempt = 0; ; attempt++) {
      try {
        const res = await fetch(`${base}/${path}`, { method, headers: { 'content-type': type, 'x-resume-key': resumeKey, accept: 'application/json' }, body, signal: AbortSignal.timeout(15_000) });
        if (res.ok) return res;
        const code = (await res.json().catch(() => ({}))).error;
        if (res.status >= 400 && res.status < 500 && res.status !== 429 && res.status !== 408) throw Object.assign(new Error(`${method} ${path} answered ${res.status} ${code ?? ''}`.trim()), { final: true });
      } catch (err) {
        if (err.final) throw err;
      }
      if (attempt >= RETRY_DELAYS_MS.length) throw new Error(`${method} ${path} failed after ${attempt + 1} tries`);
      await sleep(RETRY_DELAYS_MS[attempt]);
    }
  }

  const done = (async () => {
    try {
      const opened = await send('POST', 'start', JSON.stringify({ resumeKey, mimeType: PAGE_MIME }), 'application/json');
      const { segment } = await opened.json();
      let next = 0;
      let due = performance.now() + PART_MS;
      for (;;) {
        // The page's recorder hands a part over every timeslice; stop() flushes the one in progress.
        if (!stopping) await new Promise((resolve) => ((wake = resolve), setTimeout(resolve, Math.max(0, due - performance.now()))));
        const last = stopping;
        const part = parts[Math.min(next, parts.length - 1)];
        if (next < parts.length) {
          await send('PUT', `parts/${segment}/${next + 1}`, part, 'application/octet-stream');
          out.parts += 1;
          out.bytes += part.length;
        }
        next += 1;
        due += PART_MS;
        if (last) break;
      }
      await send('POST', 'complete', JSON.stringify({ resumeKey, segment }), 'application/json');
      out.completed = true;
    } catch (err) {
      out.error = err?.message ?? String(err);
    }
    return out;
  })();

  return {
    stop() {
      stopping = true;
      wake();
      return done;
    },
  };
}
