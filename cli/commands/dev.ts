import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { findLiveKitServer, startLocalLiveKit } from '../adapters/livekit/local-server.js';
import { LIVEKIT_SERVER_GO, LIVEKIT_SERVER_VERSION, MIN_GO, buildLiveKitServer, cachedBinDir, findGo, goVersion } from '../adapters/livekit/server-build.js';
import { createContext, type GlobalOptions } from '../context.js';
import { formatDuration } from '../core/duration.js';
import { ConfigError } from '../core/errors.js';
import { interviewUrl } from '../core/ids.js';
import { createPrinter } from '../output.js';
import type { Settings } from '../settings.js';
import { onShutdown } from '../shutdown.js';
import { startServer } from '../server/start.js';
import { createInterview } from '../use-cases/create-invites.js';
import { needsFfmpeg, planDev, type DevFindings } from './dev-plan.js';

/**
 * Everything on one machine: the embedded database, a local livekit-server (LIVEKIT_URL, or one
 * installed, or built with Go on first use), serve, the interviewer (without recording when ffmpeg
 * is missing), and a fresh demo link.
 */
export async function dev(opts: { port?: string; demo?: boolean }, global: GlobalOptions): Promise<number> {
  const ctx = createContext(global, { port: opts.port });
  const { settings, out } = ctx;
  const stops: (() => Promise<void>)[] = [];
  // Ctrl-C stops every piece at once: one after another, an interviewer draining its job processes
  // kept the livekit-server waiting past a caller's patience, and a dev killed then left that
  // livekit-server holding LiveKit's ports (quickstart.e2e checks that it goes).
  onShutdown(async () => {
    await Promise.allSettled(stops.map((stop) => stop()));
  });

  const plan = planDev(findings(settings));
  if (plan.recorder.banner) {
    // Serve and the interviewer (and its job processes) read RECORDER from the environment.
    process.env.RECORDER = plan.recorder.mode;
    out.warn(plan.recorder.banner);
  }

  let livekitNote = '';
  let binary: string | undefined;
  switch (plan.livekit.kind) {
    case 'remote':
      livekitNote = `LiveKit: ${settings.livekit.url} (LIVEKIT_URL)`;
      break;
    case 'local':
      binary = plan.livekit.binary;
      break;
    case 'build': {
      out.info(plan.livekit.note);
      const abort = new AbortController();
      onShutdown(async () => abort.abort());
      try {
        const built = await buildLiveKitServer({
          go: plan.livekit.go,
          signal: abort.signal,
          onProgress: (p) => out.info(`  still building livekit-server: ${formatDuration(roundToSeconds(p.elapsedMs))}, ${p.modules} modules downloaded, ${p.packages} packages compiled`),
        });
        out.info(`LiveKit: built livekit-server v${LIVEKIT_SERVER_VERSION} in ${formatDuration(roundToSeconds(built.ms))} (${built.path}); later starts use it at once`);
        binary = built.path;
      } catch (err) {
        if (abort.signal.aborted) return 130;
        out.warn(`LiveKit: building livekit-server failed: ${(err as Error).message}`);
      }
      livekitNote = binary
        ? ''
        : 'LiveKit: no livekit-server (the build failed, see above), so joining an interview fails until there is one; or set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET for a LiveKit Cloud project.';
      break;
    }
    case 'none':
      out.warn(plan.livekit.note);
      livekitNote = 'LiveKit: none, so joining an interview fails (see the warning above)';
      break;
  }
  if (binary) {
    const port = Number(new URL(settings.livekit.url.replace(/^ws/, 'http')).port || 7880);
    const lk = await startLocalLiveKit({
      binary,
      dir: join(settings.home, 'livekit'),
      port,
      apiKey: settings.livekit.apiKey,
      apiSecret: settings.livekit.apiSecret,
      webhookUrl: `http://127.0.0.1:${settings.port}/webhooks/livekit`,
    });
    stops.push(lk.stop);
    livekitNote = `LiveKit: local livekit-server on ${settings.livekit.url} (${binary})`;
  }
  const recorderNote = plan.recorder.banner ? '\n  Recorder: OFF (ffmpeg is not installed; see the warning above)' : '';

  const server = await startServer({ port: opts.port, host: '127.0.0.1' }, global);
  stops.push(server.close);

  // The AI interviewer registers with LiveKit; without one there is nothing to register with.
  const haveLiveKit = plan.livekit.kind === 'remote' || binary !== undefined;
  const agent = haveLiveKit ? await startAgentIfAvailable(global, settings.livekit.url) : undefined;
  if (agent) stops.push(agent);
  const agentNote = haveLiveKit ? '' : '\n  Interviewer: not started (no LiveKit; see above)';

  const repos = await ctx.repos();
  out.info(`\ninterviewctl dev is running\n  ${livekitNote}${recorderNote}${agentNote}\n  Database: ${(await ctx.db()).where}\n  Server: ${settings.publicUrl}`);
  if (opts.demo !== false) {
    const { interview } = await createInterview(
      { ...repos, publicUrl: settings.publicUrl },
      { name: 'Demo Candidate', email: null, ref: null, durationMs: 5 * 60_000, questionSet: 'default', lang: 'en', expiresInMs: 86_400_000 },
    );
    out.info('\nOpen this one-time demo link in a browser (Ctrl-C stops everything):');
    out.result({ url: interviewUrl(settings.publicUrl, interview.id), id: interview.id }, () => `  ${interviewUrl(settings.publicUrl, interview.id)}`);
  }
  await new Promise<void>((resolve) => server.server.on('close', resolve));
  await ctx.close();
  return 0;
}

/** How long dev waits for the interviewer to register before it prints the link anyway. */
const REGISTER_WAIT_MS = 30_000;

/**
 * The AI interviewer worker (see cli/use-cases/agent-worker.ts), in this process; its interviews run in
 * job processes it forks. A LiveKit that does not answer does not hold up the rest: the worker
 * keeps trying, and dev says so.
 */
async function startAgentIfAvailable(global: GlobalOptions, livekitUrl: string): Promise<(() => Promise<void>) | undefined> {
  const { startAgentWorker } = await import('../use-cases/agent-worker.js');
  try {
    const agent = await startAgentWorker(global);
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), REGISTER_WAIT_MS)));
    const outcome = await Promise.race([agent.registered, waited]);
    clearTimeout(timer);
    if (outcome === 'late') {
      createPrinter({ json: global.json, quiet: global.quiet }).warn(`the interviewer has not registered with LiveKit at ${livekitUrl} after ${REGISTER_WAIT_MS / 1000}s; it keeps trying (is LiveKit up, and are the API key and secret right?)`);
    }
    return agent.stop;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    createPrinter({ json: global.json, quiet: global.quiet }).info(`interviewer not started: ${err.problems.join('; ')}`);
    return undefined;
  }
}

/** What this machine has, for planDev. */
function findings(settings: Settings): DevFindings {
  const livekitServer = settings.livekit.explicit ? undefined : findLiveKitServer(settings.livekitServerBin);
  const go = settings.livekit.explicit || livekitServer ? undefined : findGo();
  return {
    livekitUrlSet: settings.livekit.explicit,
    livekitServer,
    go: go ? { path: go, version: goVersion(go) } : undefined,
    ffmpeg: needsFfmpeg(settings.recorder) && spawnSync('ffmpeg', ['-hide_banner', '-version'], { stdio: 'ignore' }).status === 0,
    recorder: settings.recorder,
    cacheDir: cachedBinDir(),
    livekitVersion: LIVEKIT_SERVER_VERSION,
    minGo: MIN_GO,
    wantedGo: LIVEKIT_SERVER_GO,
  };
}

const roundToSeconds = (ms: number) => Math.max(1000, Math.round(ms / 1000) * 1000);
