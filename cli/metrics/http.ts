import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/** Answers a Prometheus scrape with `registry`'s metrics in the text format. */
export async function sendMetrics(registry: Registry, res: ServerResponse): Promise<void> {
  const body = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
  res.end(body);
}

/**
 * A listener of its own for /metrics (METRICS_PORT, AGENT_METRICS_PORT): the scrape stays off the
 * port candidates reach. `extra` handles other paths first (the agent's job processes report here).
 */
export function startMetricsServer(
  registry: Registry,
  port: number,
  host: string,
  extra?: (req: IncomingMessage, res: ServerResponse) => boolean,
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    if (extra?.(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/metrics' && (req.method === 'GET' || req.method === 'HEAD')) {
      sendMetrics(registry, res).catch(() => {
        res.writeHead(500).end('metrics unavailable\n');
      });
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found; metrics are at /metrics\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve({
        server,
        port: typeof address === 'object' && address ? address.port : port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      });
    });
  });
}
