import type { Server } from 'node:http';
import { migrate } from '../adapters/db/migrate.js';
import { createLiveKit } from '../adapters/livekit/client.js';
import { createContext, type GlobalOptions } from '../context.js';
import { UnavailableError, UsageError } from '../core/errors.js';
import { createHttpServer } from '../server/server.js';
import { createLogger } from '../server/log.js';
import { onShutdown } from '../shutdown.js';

export interface ServeOptions {
  port?: string;
  host?: string;
  publicUrl?: string;
}

/** Starts the HTTP server and resolves once it listens; it runs until a signal stops it. */
export async function startServer(opts: ServeOptions, global: GlobalOptions): Promise<{ server: Server; url: string; close: () => Promise<void> }> {
  const ctx = createContext(global, { port: opts.port, publicUrl: opts.publicUrl });
  const { settings } = ctx;
  const log = createLogger(process.stderr, { svc: 'serve' });
  const db = await ctx.db();
  const applied = await migrate(db.sql);
  if (applied.length > 0) log.info('migrations applied', { count: applied.length });
  const livekit = createLiveKit(settings.livekit);
  const server = createHttpServer({ sql: db.sql, livekit, settings, log });
  const host = opts.host ?? '0.0.0.0';
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'EADDRINUSE' ? new UnavailableError('http', `port ${settings.port} is already in use; set PORT or --port`) : err),
    );
    server.listen(settings.port, host, resolve);
  });
  log.info('serving', {
    listen: `${host}:${settings.port}`,
    public_url: settings.publicUrl,
    livekit: livekit.host,
    database: db.embedded ? 'embedded' : 'external',
    agent_name: settings.livekit.agentName,
  });
  const close = async () => {
    await new Promise<void>((r) => server.close(() => r()));
    server.closeAllConnections?.();
    await ctx.close();
    log.info('stopped');
  };
  return { server, url: settings.publicUrl, close };
}

export async function serve(opts: ServeOptions, global: GlobalOptions): Promise<number> {
  if (opts.port !== undefined && !/^\d+$/.test(opts.port)) throw new UsageError(`--port: ${JSON.stringify(opts.port)} is not a port number`);
  const running = await startServer(opts, global);
  onShutdown(running.close);
  await new Promise<void>((resolve) => running.server.on('close', resolve));
  return 0;
}
