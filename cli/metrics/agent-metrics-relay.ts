import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AggregatorRegistry, collectDefaultMetrics, Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';
import { agentRegistry } from './agent-metrics.js';
import { startMetricsServer } from './http.js';

/**
 * agents-js runs each interview in a job process of its own, and its health server (ServerOptions
 * host/port) answers only `/` and `/worker`, with no way to add a route. So the worker serves
 * /metrics on AGENT_METRICS_PORT itself, and job processes send it their counts: every few seconds
 * and when their job ends, a POST of their registry as JSON (prom-client's own form, summed with
 * AggregatorRegistry.aggregate as prom-client does for cluster workers), to the same listener,
 * with a token only the worker's children have (from the environment they are forked with).
 */
export const RELAY_ENV = 'INTERVIEWCTL_METRICS_RELAY';
const RELAY_PATH = '/job-metrics';
/** A job process silent for this long is gone; its last counts are kept, folded into the total. */
const STALE_MS = 10 * 60_000;
const PUSH_EVERY_MS = 5_000;

type Snapshot = MetricObjectWithValues<MetricValue<string>>[];

export interface AgentMetricsServer {
  port: number;
  close(): Promise<void>;
}

/** In the worker: serves /metrics (its own metrics plus every job process's) and takes the job processes' reports. */
export async function startAgentMetricsServer(port: number, host: string): Promise<AgentMetricsServer> {
  const token = randomBytes(16).toString('hex');
  const worker = new Registry();
  collectDefaultMetrics({ register: worker, prefix: 'interviewctl_agent_' });
  const live = new Map<string, { at: number; seq: number; metrics: Snapshot }>();
  // Processes whose last report is in: a periodic report still on its way must not count them twice.
  const finished = new Map<string, number>();
  let retired: Snapshot = [];
  // Folds run one after another: two jobs ending together must both be kept.
  let folding = Promise.resolve();
  const fold = (metrics: Snapshot) =>
    (folding = folding.then(async () => {
      retired = (await AggregatorRegistry.aggregate([retired, metrics] as never).getMetricsAsJSON()) as unknown as Snapshot;
    }));
  // The scrape's registry: built per scrape from the latest reports (cheap: a few dozen series).
  const scrapeRegistry = {
    contentType: worker.contentType,
    async metrics(): Promise<string> {
      for (const [pid, s] of live) {
        if (Date.now() - s.at > STALE_MS) {
          live.delete(pid);
          await fold(s.metrics);
        }
      }
      for (const [pid, at] of finished) if (Date.now() - at > STALE_MS) finished.delete(pid);
      await folding;
      const own = [(await worker.getMetricsAsJSON()) as unknown as Snapshot, (await agentRegistry.getMetricsAsJSON()) as unknown as Snapshot];
      return AggregatorRegistry.aggregate([...own, retired, ...[...live.values()].map((s) => s.metrics)] as never).metrics();
    },
  };
  const ingest = (req: IncomingMessage, res: ServerResponse): boolean => {
    if (!req.url?.startsWith(RELAY_PATH)) return false;
    if (req.method !== 'POST' || req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(403).end();
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= 1024 * 1024) chunks.push(c);
    });
    req.on('end', async () => {
      try {
        const report = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { pid: string; seq?: number; final?: boolean; metrics: Snapshot };
        const pid = String(report.pid);
        const seq = Number(report.seq) || 0;
        if (!Array.isArray(report.metrics) || finished.has(pid) || seq < (live.get(pid)?.seq ?? 0)) {
          // late or malformed: already counted, or nothing to count
        } else if (report.final) {
          live.delete(pid);
          finished.set(pid, Date.now());
          await fold(report.metrics);
        } else live.set(pid, { at: Date.now(), seq, metrics: report.metrics });
        res.writeHead(204).end();
      } catch {
        res.writeHead(400).end();
      }
    });
    return true;
  };
  const server = await startMetricsServer(scrapeRegistry as unknown as Registry, port, host, ingest);
  // Job processes are forked from this one after this point and find the worker here.
  const relayHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  process.env[RELAY_ENV] = `http://${relayHost.includes(':') ? `[${relayHost}]` : relayHost}:${server.port}${RELAY_PATH} ${token}`;
  return { port: server.port, close: server.close };
}

/**
 * In a job process: reports this process's counts to the worker every few seconds; `flush(true)`
 * sends the last report when the job ends. Without a worker metrics server (AGENT_METRICS_PORT=off)
 * it does nothing.
 */
export function startJobMetricsRelay(env: NodeJS.ProcessEnv = process.env): { flush(final?: boolean): Promise<void> } {
  const relay = env[RELAY_ENV];
  if (!relay) return { flush: async () => {} };
  const [url, token] = relay.split(' ');
  let seq = 0;
  const send = async (final: boolean) => {
    const n = ++seq;
    const metrics = await agentRegistry.getMetricsAsJSON();
    await fetch(url!, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ pid: String(process.pid), seq: n, final, metrics }),
      signal: AbortSignal.timeout(2_000),
    }).catch(() => {}); // metrics are never worth failing an interview for
  };
  const timer = setInterval(() => void send(false), PUSH_EVERY_MS);
  timer.unref();
  return {
    async flush(final = false) {
      if (final) clearInterval(timer);
      await send(final);
    },
  };
}
