import type { GlobalOptions } from '../context.js';
import { UsageError } from '../core/errors.js';
import { startServer, type ServeOptions } from '../server/start.js';
import { onShutdown } from '../shutdown.js';

export async function serve(opts: ServeOptions, global: GlobalOptions): Promise<number> {
  if (opts.port !== undefined && !/^\d+$/.test(opts.port)) throw new UsageError(`--port: ${JSON.stringify(opts.port)} is not a port number`);
  const running = await startServer(opts, global);
  onShutdown(running.close);
  await new Promise<void>((resolve) => running.server.on('close', resolve));
  return 0;
}
