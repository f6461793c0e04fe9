// The camera layer the recording gets, on the real server: a candidate publishing like the page
// (livekit-client's defaults: 1280x720 at 30 fps, simulcast with 640x360 and 320x180 layers)
// reaches the agent's CandidateRoom as the 640x360 layer, the recording's own size, so the agent
// neither decodes the top layer nor scales it down (bench:agent-cpu measures what that saves).
import {
  LocalVideoTrack,
  Room,
  TrackPublishOptions,
  TrackSource,
  VideoBufferType,
  VideoFrame,
  VideoSource,
} from '@livekit/rtc-node';
import { AccessToken } from 'livekit-server-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CandidateRoom } from '../../agent/candidate-room.js';
import { BROWSER_CAMERA, makeVideoLoop } from '../../cli/adapters/livekit/synthetic-candidate.js';
import { startStack, type Stack } from './helpers/stack.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the recording\'s camera layer', () => {
  let stack: Stack;
  const rooms: Room[] = [];

  beforeAll(async () => {
    stack = await startStack({ scenario: 'video-layer' });
  });

  afterAll(async () => {
    for (const r of rooms) await r.disconnect().catch(() => {});
    await stack?.stop();
  });

  const tokenFor = (identity: string) => {
    const t = new AccessToken(stack.apiKey, stack.apiSecret, { identity });
    t.addGrant({ roomJoin: true, room: 'video-layer', canPublish: true, canSubscribe: true });
    return t.toJwt();
  };

  it('a simulcast camera reaches CandidateRoom as its 640x360 layer, not 1280x720', async () => {
    const { width, height, fps } = BROWSER_CAMERA;
    const candidate = new Room();
    rooms.push(candidate);
    await candidate.connect(stack.livekitUrl, await tokenFor('candidate-x'), { autoSubscribe: false, dynacast: true });
    const source = new VideoSource(width, height);
    const frames = makeVideoLoop(BROWSER_CAMERA);
    let n = 0;
    const t0 = performance.now();
    const timer = setInterval(() => source.captureFrame(new VideoFrame(frames[n++ % frames.length]!, width, height, VideoBufferType.I420), BigInt(Math.round((performance.now() - t0) * 1000))), 1000 / fps);
    try {
      await candidate.localParticipant!.publishTrack(LocalVideoTrack.createVideoTrack('camera', source), new TrackPublishOptions({ source: TrackSource.SOURCE_CAMERA, simulcast: true }));

      const agent = new Room();
      rooms.push(agent);
      const sizes = new Map<string, number>();
      let run = 0; // 640x360 frames in a row
      const seen = new CandidateRoom(agent, 'candidate-x', {
        audioTrack: () => {},
        videoFrame: (f) => {
          const k = `${f.width}x${f.height}`;
          sizes.set(k, (sizes.get(k) ?? 0) + 1);
          run = k === '640x360' ? run + 1 : 0;
        },
        videoGone: () => {},
      });
      await agent.connect(stack.livekitUrl, await tokenFor('agent-x'), { autoSubscribe: true });
      seen.adoptExisting();
      // The server may start with another layer and move to the one asked for within moments (a
      // busy machine stretches that): from 15 medium frames in a row on, nothing but that layer.
      const deadline = Date.now() + 30_000;
      while (run < 15 && Date.now() < deadline) await sleep(100);
      const before = JSON.stringify(Object.fromEntries(sizes));
      expect(run, `frames seen: ${before}`).toBeGreaterThanOrEqual(15);
      sizes.clear();
      await sleep(5000);
      const seenSizes = JSON.stringify(Object.fromEntries(sizes));
      expect(sizes.get('640x360') ?? 0, `frames seen after the switch: ${seenSizes} (before: ${before})`).toBeGreaterThan(25);
      expect(sizes.get('1280x720') ?? 0, `frames seen after the switch: ${seenSizes}`).toBe(0);
      seen.close();
    } finally {
      clearInterval(timer);
      await source.close().catch(() => {});
    }
  }, 90_000);
});
