// The RECORDER=egress sequence with a fake LiveKit Egress client behind the real adapter:
// start only once the agent's voice is published, stop → wait until ended → transcript →
// delete room → completed, and every way it can go wrong ending `failed` / `recorder_failed`.
import { EgressStatus } from 'livekit-server-sdk';
import { describe, expect, it } from 'vitest';
import type { InterviewRepo } from '../../cli/adapters/db/interviews.js';
import type { UtteranceRepo } from '../../cli/adapters/db/utterances.js';
import { createEgressRecorder, type EgressApi } from '../../cli/adapters/livekit/egress.js';
import type { ObjectStorage } from '../../cli/adapters/storage/storage.js';
import { createLogger } from '../../cli/log.js';
import { beginEgressRecording, checkEgress, type EgressDeps } from './egress-recording.js';

const ID = 'AAAAAAAAAAAAAAAAAAAAAA';
const ROOM = `interview-${ID}`;
const S3 = { bucket: 'interviews', region: 'auto', endpoint: 'https://s3.example', accessKeyId: 'k', secretAccessKey: 's', forcePathStyle: true };

interface Script {
  /** What startRoomCompositeEgress does: resolve, or throw this error. */
  startError?: Error;
  listError?: Error;
  /** Statuses listEgress reports after the stop, one per call (the last repeats). */
  afterStop?: EgressStatus[];
  /** Whether the egress writes its MP4 to the bucket when it completes. */
  writesFile?: boolean;
}

function harness(script: Script = {}) {
  const calls: string[] = [];
  const objects = new Map<string, number>();
  let status = EgressStatus.EGRESS_STARTING;
  let afterStop: EgressStatus[] | undefined;
  let filepath = '';
  const info = () => ({
    egressId: 'EG_test',
    status,
    error: status === EgressStatus.EGRESS_FAILED ? 'pipeline failed' : '',
    fileResults: status === EgressStatus.EGRESS_COMPLETE ? [{ location: `s3://interviews/${filepath}`, size: 1234n, duration: 61_000_000_000n }] : [],
  });
  const client = {
    async startRoomCompositeEgress(room: string, output: { file: { filepath: string } }) {
      calls.push(`start ${room}`);
      if (script.startError) throw script.startError;
      filepath = output.file.filepath;
      status = EgressStatus.EGRESS_ACTIVE;
      return info();
    },
    async stopEgress(id: string) {
      calls.push(`stop ${id}`);
      afterStop = [...(script.afterStop ?? [EgressStatus.EGRESS_ENDING, EgressStatus.EGRESS_COMPLETE])];
      status = EgressStatus.EGRESS_ENDING;
      return info();
    },
    async listEgress(opts: { egressId?: string; roomName?: string }) {
      if (script.listError) throw script.listError;
      if (opts.egressId && afterStop) {
        status = afterStop.length > 1 ? afterStop.shift()! : afterStop[0]!;
        if (status === EgressStatus.EGRESS_COMPLETE && script.writesFile !== false) objects.set(filepath, 1234);
        calls.push(`list ${EgressStatus[status]}`);
      }
      return opts.egressId || opts.roomName ? [info()] : [];
    },
  } as unknown as EgressApi;
  const storage = {
    kind: 's3',
    where: 's3://interviews',
    async put(key: string, body: string) {
      calls.push(`put ${key.split('.').slice(1).join('.')}`);
      objects.set(key, body.length);
    },
    async size(key: string) {
      return objects.get(key);
    },
  } as unknown as ObjectStorage;
  const interviews = {
    async applyEvent(_id: string, event: string, by: { reason?: string; patch?: Record<string, unknown> }) {
      calls.push(`event ${event}`);
      events.push({ event, reason: by.reason, patch: by.patch });
      return {};
    },
  } as unknown as InterviewRepo;
  const events: { event: string; reason?: string; patch?: Record<string, unknown> }[] = [];
  const utterances = { list: async () => [{ seq: 0, speaker: 'agent', kind: 'greeting', questionIndex: null, text: 'Hello', startMs: 0, endMs: 1000 }] } as unknown as UtteranceRepo;
  let stoppedConversation = 0;
  let resolveTrack!: () => void;
  const agentTrack = new Promise<void>((r) => (resolveTrack = r));
  const egress = createEgressRecorder(client, S3, 'http://lk.test');
  const deps: EgressDeps = {
    interviewId: ID,
    roomName: ROOM,
    lang: 'en',
    speechMode: 'offline',
    storage,
    interviews,
    utterances,
    log: createLogger({ write: () => true } as never),
    stopConversation: () => stoppedConversation++,
    egress,
    saveEgressId: async (id) => void calls.push(`save ${id}`),
    agentTrack,
    deleteRoom: async () => void calls.push('delete room'),
    startedAt: new Date('2026-11-22T03:04:05Z'),
    pollMs: 2,
    endTimeoutMs: 200,
    activeTimeoutMs: 100,
  };
  return { calls, events, objects, deps, egress, resolveTrack, stopped: () => stoppedConversation };
}

const KEY = `recordings/${ID}/20261122T030405Z_${ROOM}.mp4`;
const tick = () => new Promise((r) => setTimeout(r, 20));

describe('RECORDER=egress', () => {
  it("starts the room composite only once the agent's track is published, to the SPEC key, then goes recording", async () => {
    const h = harness();
    const rec = beginEgressRecording(h.deps);
    await tick();
    expect(h.calls).toEqual([]);
    h.resolveTrack();
    await rec.started;
    expect(h.calls).toEqual([`start ${ROOM}`, 'save EG_test', 'event recorder_started']);
    expect(h.events[0]).toMatchObject({ reason: 'LiveKit Egress EG_test started', patch: { recording_key: KEY } });
    expect(rec.failure()).toBeUndefined();
  });

  it('ends by stopping the egress, waiting until it ended, storing the transcript, deleting the room, then completing', async () => {
    const h = harness({ afterStop: [EgressStatus.EGRESS_ENDING, EgressStatus.EGRESS_ENDING, EgressStatus.EGRESS_COMPLETE] });
    h.resolveTrack();
    const rec = beginEgressRecording(h.deps);
    await rec.started;
    rec.markEnd();
    expect(await rec.finish()).toBe('completed');
    expect(h.calls.slice(3)).toEqual([
      'stop EG_test',
      'list EGRESS_ENDING',
      'list EGRESS_ENDING',
      'list EGRESS_COMPLETE',
      'put transcript.json',
      'put vtt',
      'delete room',
      'event finalized',
    ]);
    expect(h.events.at(-1)).toMatchObject({ patch: { recording_key: KEY, transcript_key: KEY.replace('.mp4', '.transcript.json'), vtt_key: KEY.replace('.mp4', '.vtt') } });
  });

  it('fails with recorder_failed when the egress ends FAILED (transcript still stored, room deleted after it ended)', async () => {
    const h = harness({ afterStop: [EgressStatus.EGRESS_FAILED] });
    h.resolveTrack();
    const rec = beginEgressRecording(h.deps);
    await rec.started;
    expect(await rec.finish()).toBe('failed');
    expect(h.calls.slice(3)).toEqual(['stop EG_test', 'list EGRESS_FAILED', 'put transcript.json', 'put vtt', 'delete room', 'event fail']);
    expect(h.events.at(-1)).toMatchObject({ event: 'fail', reason: 'LiveKit Egress EG_test ended failed: pipeline failed', patch: { error: 'recorder_failed' } });
  });

  it('fails when the egress says complete but the MP4 is not in the bucket', async () => {
    const h = harness({ writesFile: false });
    h.resolveTrack();
    const rec = beginEgressRecording(h.deps);
    await rec.started;
    expect(await rec.finish()).toBe('failed');
    expect(h.events.at(-1)?.reason).toMatch(/reported its file complete, but: stored object missing after upload: recordings\/.*\.mp4/);
  });

  it('fails, after a bounded wait, when the egress never reports an end (the room is deleted only after the wait)', async () => {
    const h = harness({ afterStop: [EgressStatus.EGRESS_ENDING] });
    h.resolveTrack();
    const rec = beginEgressRecording(h.deps);
    await rec.started;
    const t0 = Date.now();
    expect(await rec.finish()).toBe('failed');
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(h.calls.indexOf('delete room')).toBeGreaterThan(h.calls.lastIndexOf('list EGRESS_ENDING'));
    expect(h.events.at(-1)?.reason).toMatch(/had not ended 0 s after it was stopped \(ending\)/);
  });

  it("stops the conversation and fails plainly when the server has no egress service (livekit-server's real 503)", async () => {
    // What livekit-server v1.13.5 answers ~23 s after StartRoomCompositeEgress when no egress worker is there.
    const h = harness({ startError: Object.assign(new Error('twirp error unknown: no response from servers'), { status: 503, code: 'unavailable' }) });
    h.resolveTrack();
    const rec = beginEgressRecording(h.deps);
    await rec.beforeSpeaking;
    expect(h.stopped()).toBe(1);
    expect(rec.failure()).toBe('LiveKit Egress is not available on this LiveKit server: twirp error unknown: no response from servers');
    expect(await rec.finish()).toBe('failed');
    expect(h.calls).toEqual([`start ${ROOM}`, 'delete room', 'event fail']);
    expect(h.events.at(-1)).toMatchObject({ patch: { error: 'recorder_failed' } });
  });

  it('does not even try to start when the early check already heard "egress not connected (redis required)"', async () => {
    const h = harness({ listError: Object.assign(new Error('twirp error unknown: egress not connected (redis required)'), { status: 500 }) });
    const preflight = checkEgress(h.egress, ROOM);
    h.resolveTrack();
    const rec = beginEgressRecording({ ...h.deps, preflight });
    await rec.started;
    expect(h.calls).toEqual([]);
    expect(rec.failure()).toMatch(/^LiveKit Egress is not available on this LiveKit server: .*egress not connected \(redis required\)/);
    expect(h.stopped()).toBe(1);
  });

  it('an early check that failed for another reason (a network blip) still lets the start decide', async () => {
    const h = harness();
    const preflight = Promise.resolve(new Error('fetch failed'));
    h.resolveTrack();
    const rec = beginEgressRecording({ ...h.deps, preflight });
    await rec.started;
    expect(rec.failure()).toBeUndefined();
    expect(h.calls[0]).toBe(`start ${ROOM}`);
  });

  it('abandoning a started egress stops it (the interview failed or moved on elsewhere)', async () => {
    const h = harness();
    h.resolveTrack();
    const rec = beginEgressRecording(h.deps);
    await rec.started;
    await rec.abandon();
    expect(h.calls.at(-1)).toBe('stop EG_test');
  });
});
