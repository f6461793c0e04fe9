#!/usr/bin/env node
// bench:rtc-latency — how long a voice takes from one rtc-node participant to another through a
// real livekit-server on loopback (private network namespace), with nothing else running: the
// floor under bench:agent's "heard" figures, which add this leg to the agent's own first audio.
// The speaker plays like the interviewer (agent/speech/voice-out.ts: AudioSource at 48 kHz with a
// 200 ms queue, 20 ms frames, nothing captured between lines); the listener hears like
// bench:agent's synthetic candidate (AudioStream at 48 kHz, 10 ms frames, "heard" = the first
// frame over -40 dBFS). Both in this one process, so one clock times both ends. Each round: 1.5 s
// of quiet, then a 300 ms tone; the figure is the first captureFrame → the first loud frame heard.
// `--idle-silence` feeds the speaker's source silence between lines (bench:agent's synthetic
// candidate's microphone does): a line then waits behind the silence the source's queue holds.
// Measured here, idle 2-core machine: 40-57 ms p50 without, 255 ms with (the 200 ms queue + 55).
// A measurement: exits 0 whichever way the figures go, 1 only when the run itself breaks.
//
//   npm run bench:rtc-latency [-- --rounds 20] [--idle-silence] [--json]
import { fileURLToPath } from 'node:url';
import { API_KEY, API_SECRET, createRun, numberOption, percentile, reexecInNamespace, say, sleep } from './live.mjs';

reexecInNamespace(fileURLToPath(import.meta.url), { privateLink: true });

const ROUNDS = numberOption('rounds', 20);
const IDLE_SILENCE = process.argv.includes('--idle-silence');
const JSON_OUT = process.argv.includes('--json');
const RATE = 48_000;
const LOUD_DBFS = -40;

// rtc-node logs at debug level to stdout unless NODE_ENV is production when it loads.
process.env.NODE_ENV = 'production';
const rtc = await import('@livekit/rtc-node');
const { AccessToken } = await import('livekit-server-sdk');
const { AudioFrame, AudioSource, AudioStream, LocalAudioTrack, Room, RoomEvent, TrackKind, TrackPublishOptions, TrackSource } = rtc;

const dbfs = (s, n) => {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i] * s[i];
  return 10 * Math.log10(sum / Math.max(1, n) / 32768 ** 2 + 1e-12);
};
const token = async (identity) => {
  const t = new AccessToken(API_KEY, API_SECRET, { identity, ttl: '10m' });
  t.addGrant({ roomJoin: true, room: 'latency', canPublish: true, canSubscribe: true });
  return t.toJwt();
};

const run = createRun('rtc-latency');
try {
  const lk = await run.startLiveKit({ port: 7880 });
  const speaker = new Room();
  const listener = new Room();
  let heardAt = NaN;
  let waitingSince = Infinity;
  let subscribed;
  const ready = new Promise((r) => (subscribed = r));
  listener.on(RoomEvent.TrackSubscribed, (track) => {
    if (track.kind !== TrackKind.KIND_AUDIO) return;
    subscribed();
    void (async () => {
      const reader = new AudioStream(track, { sampleRate: RATE, numChannels: 1 }).getReader();
      for (;;) {
        const { value: frame, done } = await reader.read();
        if (done) break;
        const now = performance.now();
        if (now > waitingSince && Number.isNaN(heardAt) && dbfs(frame.data, frame.samplesPerChannel) > LOUD_DBFS) heardAt = now;
      }
    })();
  });
  await listener.connect(lk.url, await token('listener'), { autoSubscribe: true, dynacast: true });
  await speaker.connect(lk.url, await token('speaker'), { autoSubscribe: false, dynacast: true });
  const source = new AudioSource(RATE, 1, 200);
  await speaker.localParticipant.publishTrack(LocalAudioTrack.createAudioTrack('voice', source), new TrackPublishOptions({ source: TrackSource.SOURCE_MICROPHONE }));
  await ready;

  const FRAME = RATE / 50; // 20 ms, as VoiceOut plays
  const tone = new Int16Array((RATE * 300) / 1000);
  for (let i = 0; i < tone.length; i++) tone[i] = Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / RATE));
  const silence = new Int16Array(FRAME);
  let feeding = false;
  let quiet = Promise.resolve();
  const feedSilence = () => {
    feeding = true;
    quiet = (async () => {
      while (feeding) await source.captureFrame(new AudioFrame(silence, RATE, 1, FRAME));
    })();
  };
  if (IDLE_SILENCE) feedSilence();

  const figures = [];
  for (let round = 0; round < ROUNDS; round++) {
    await sleep(1500);
    heardAt = NaN;
    let sentAt = NaN;
    feeding = false;
    await quiet;
    for (let at = 0; at < tone.length; at += FRAME) {
      const chunk = tone.slice(at, at + FRAME);
      if (Number.isNaN(sentAt)) {
        sentAt = performance.now();
        waitingSince = sentAt;
      }
      await source.captureFrame(new AudioFrame(chunk, RATE, 1, chunk.length));
    }
    const until = performance.now() + 2000;
    while (Number.isNaN(heardAt) && performance.now() < until) await sleep(5);
    figures.push(heardAt - sentAt);
    waitingSince = Infinity;
    if (IDLE_SILENCE) feedSilence();
  }
  feeding = false;
  await quiet;
  await speaker.disconnect();
  await listener.disconnect();
  await rtc.dispose();

  const heard = figures.filter(Number.isFinite);
  const result = { rounds: ROUNDS, heard: heard.length, idleSilence: IDLE_SILENCE, p50Ms: percentile(heard, 50), p90Ms: percentile(heard, 90), minMs: Math.min(...heard), maxMs: Math.max(...heard) };
  if (JSON_OUT) process.stdout.write(`${JSON.stringify(result)}\n`);
  else {
    say(`\nbench:rtc-latency — rtc-node → livekit-server (loopback) → rtc-node, ${ROUNDS} rounds, ${IDLE_SILENCE ? 'silence fed between lines' : 'nothing captured between lines (as the interviewer)'}`);
    say(`first frame captured → first loud frame heard: p50 ${result.p50Ms.toFixed(0)} ms, p90 ${result.p90Ms.toFixed(0)} ms (min ${result.minMs.toFixed(0)}, max ${result.maxMs.toFixed(0)}); heard ${heard.length}/${ROUNDS}`);
  }
} finally {
  await run.cleanup();
}
