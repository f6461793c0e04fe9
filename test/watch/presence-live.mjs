#!/usr/bin/env node
// A manual check of `watch`'s LiveKit presence against a real livekit-server (STACK.md): an empty
// room reads no/no, a candidate and an agent that join read yes/yes, a candidate removed reads
// no/yes, and a stopped server reads ?/? with "livekit unreachable". Runs in a private network
// namespace with only loopback (it re-runs itself under `unshare -n` as root), on a throwaway
// embedded database. Needs `npm run build`, `npm run setup:stack` (livekit-server) and root.
//
//   node test/watch/presence-live.mjs
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, freshHome, mustRun, requireBuild, ROOT } from '../bench/lib.mjs';
import { livekitServerBin } from '../stack/paths.mjs';

if (!process.env.ICTL_IN_NETNS) {
  if (!existsSync(livekitServerBin)) {
    process.stderr.write(`skipped: no livekit-server at ${livekitServerBin} (npm run setup:stack)\n`);
    process.exit(0);
  }
  const res = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec "${process.execPath}" "${process.argv[1]}"`], {
    stdio: 'inherit',
    env: { ...process.env, ICTL_IN_NETNS: '1' },
    timeout: 120_000,
  });
  process.exit(res.status ?? 1);
}

requireBuild();
const postgres = (await import('postgres')).default;
const { Room } = await import('@livekit/rtc-node');
const { AccessToken, RoomServiceClient } = await import('livekit-server-sdk');
const { startLivekitServer } = await import('../stack/livekit.mjs');
const { embeddedConnection, embeddedPaths } = await import(join(ROOT, 'dist/cli/adapters/db/embedded.js'));
const { columnCase } = await import(join(ROOT, 'dist/cli/adapters/db/sql.js'));
const { createInterviewRepo } = await import(join(ROOT, 'dist/cli/adapters/db/interviews.js'));
const { startPostgresFeed } = await import(join(ROOT, 'dist/cli/adapters/watch/postgres-feed.js'));
const { createLiveKit } = await import(join(ROOT, 'dist/cli/adapters/livekit/client.js'));

const target = freshHome('presence');
let sql;
let feed;
let lk;
const rooms = [];
let failed = 0;
const lkDir = mkdtempSync(join(tmpdir(), 'ictl-lk-'));
try {
  await mustRun(['create', '--name', 'Presence Check'], { env: target.env, cwd: target.home });
  const conn = embeddedConnection(embeddedPaths(target.home));
  sql = postgres({ ...conn, max: 3, onnotice() {}, transform: columnCase });
  const repo = createInterviewRepo(sql);
  const [{ id }] = await sql`select id from interviews limit 1`;
  await repo.applyEvent(id, 'join', { actor: 'test' });
  lk = await startLivekitServer({ dir: lkDir });
  const service = new RoomServiceClient(lk.httpUrl, lk.apiKey, lk.apiSecret);
  const roomName = `interview-${id}`;
  await service.createRoom({ name: roomName });
  const livekit = createLiveKit({ url: lk.url, apiKey: lk.apiKey, apiSecret: lk.apiSecret, agentName: 'interviewer' }, { requestTimeoutSeconds: 2 });
  feed = await startPostgresFeed({ sql, newListenClient: () => postgres({ ...conn, max: 1, onnotice() {}, transform: columnCase }), interviews: repo, livekit, presenceIntervalMs: 300 });

  const check = async (label, want, livekitState) => {
    const deadline = Date.now() + 8000;
    let got;
    for (;;) {
      const snap = feed.snapshot();
      got = { livekit: snap.livekit, ...snap.rows.find((r) => r.id === id)?.presence };
      if (got.livekit === livekitState && got.candidate === want.candidate && got.agent === want.agent) break;
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const ok = got.livekit === livekitState && got.candidate === want.candidate && got.agent === want.agent;
    if (!ok) failed++;
    process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${label}: ${JSON.stringify(got)}\n`);
  };
  const enter = async (identity, grant = {}) => {
    const token = new AccessToken(lk.apiKey, lk.apiSecret, { identity });
    token.addGrant({ room: roomName, roomJoin: true, ...grant });
    const room = new Room();
    rooms.push(room);
    // Presence counts from the signalling join; media may never connect in a namespace.
    room.connect(lk.url, await token.toJwt(), { autoSubscribe: false }).catch(() => {});
  };

  await check('empty room', { candidate: false, agent: false }, 'ok');
  await enter(`candidate-${id}`);
  await enter('agent-AJ_presence', { agent: true });
  await check('candidate and agent joined', { candidate: true, agent: true }, 'ok');
  await service.removeParticipant(roomName, `candidate-${id}`);
  await check('candidate removed', { candidate: false, agent: true }, 'ok');
  await lk.stop();
  lk = undefined;
  await check('livekit stopped', { candidate: null, agent: null }, 'unreachable');
} finally {
  for (const r of rooms) await r.disconnect().catch(() => {});
  await feed?.stop();
  await lk?.stop();
  await sql?.end({ timeout: 1 });
  cleanup(target);
  rmSync(lkDir, { recursive: true, force: true });
}
process.exit(failed === 0 ? 0 : 1);
