import { join } from 'node:path';
import { findLiveKitServer, startLocalLiveKit } from '../adapters/livekit/local-server.js';
import { createContext, type GlobalOptions } from '../context.js';
import { ConfigError } from '../core/errors.js';
import { createPrinter } from '../output.js';
import { interviewUrl } from '../core/ids.js';
import { onShutdown } from '../shutdown.js';
import { createInterview } from '../use-cases/create-invites.js';
import { startServer } from './serve.js';

/**
 * Everything on one machine: the embedded database, a local livekit-server (when installed, or
 * LIVEKIT_URL), serve, and a fresh demo link.
 */
export async function dev(opts: { port?: string; demo?: boolean }, global: GlobalOptions): Promise<number> {
  const ctx = createContext(global, { port: opts.port });
  const { settings, out } = ctx;
  const stops: (() => Promise<void>)[] = [];
  onShutdown(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  let livekitNote: string;
  if (settings.livekit.explicit) {
    livekitNote = `LiveKit: ${settings.livekit.url} (LIVEKIT_URL)`;
  } else {
    const binary = findLiveKitServer();
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
    } else {
      livekitNote =
        'LiveKit: no livekit-server found, so joining an interview will fail until there is one.\n' +
        '  Install one with `npm run setup:stack` (builds it with Go into ~/.cache/interviewctl/bin),\n' +
        '  or set LIVEKIT_URL, LIVEKIT_API_KEY and LIVEKIT_API_SECRET for a LiveKit Cloud project.';
    }
  }

  const server = await startServer({ port: opts.port, host: '127.0.0.1' }, global);
  stops.push(server.close);

  // Hook for the AI interviewer worker: started here once it is available.
  const agent = await startAgentIfAvailable(global);
  if (agent) stops.push(agent);

  const repos = await ctx.repos();
  out.info(`\ninterviewctl dev is running\n  ${livekitNote}\n  Database: ${(await ctx.db()).where}\n  Server: ${settings.publicUrl}`);
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

/**
 * The AI interviewer worker (see cli/commands/agent.ts), in this process; its interviews run in
 * job processes it forks. Without ffmpeg it cannot record, so dev runs without it and says why.
 */
async function startAgentIfAvailable(global: GlobalOptions): Promise<(() => Promise<void>) | undefined> {
  const { startAgentWorker } = await import('./agent.js');
  try {
    const agent = await startAgentWorker(global);
    await agent.registered;
    return agent.stop;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    createPrinter({ json: global.json, quiet: global.quiet }).info(`interviewer not started: ${err.problems.join('; ')}`);
    return undefined;
  }
}
