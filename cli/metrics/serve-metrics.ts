import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * serve's Prometheus metrics (SPEC.md section 16), on /metrics. One registry per process: metrics
 * are counted where things happen (the join path, the webhook receiver) and read by a scrape.
 */
export const serveRegistry = new Registry();
collectDefaultMetrics({ register: serveRegistry, prefix: 'interviewctl_serve_' });

const registers = [serveRegistry];
const ms = 0.001;

export const joinMetrics = {
  /** Every join answered, by what the candidate got: joined, resumed, already_used, gone, rate_limited, error, … */
  total: new Counter({ name: 'interviewctl_joins_total', help: 'Candidate joins answered, by outcome', labelNames: ['outcome'] as const, registers }),
  /** A join's time in serve, from its request to its answer (outcome joined only). */
  duration: new Histogram({
    name: 'interviewctl_join_duration_seconds',
    help: 'Time serve took to answer a join that claimed its link, request to answer',
    buckets: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000].map((b) => b * ms),
    registers,
  }),
  /** The LiveKit calls (room + agent dispatch) a winning join waited on: its batch's, when claimed together. */
  livekitWait: new Histogram({
    name: 'interviewctl_join_livekit_seconds',
    help: 'LiveKit room and agent dispatch round-trips a claimed join waited on',
    buckets: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000].map((b) => b * ms),
    registers,
  }),
  /** A claimed join's time in serve outside its LiveKit wait: what serve itself adds. */
  own: new Histogram({
    name: 'interviewctl_join_own_seconds',
    help: 'Time serve spent on a claimed join outside the LiveKit calls it waited on',
    buckets: [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000].map((b) => b * ms),
    registers,
  }),
  /** Joins claimed in one transaction (group commit). */
  batchSize: new Histogram({ name: 'interviewctl_join_batch_size', help: 'Joins claimed together in one transaction', buckets: [1, 2, 4, 8, 16, 32, 64], registers }),
};

export const webhookMetrics = {
  /** Every LiveKit delivery, by event type and what became of it: applied, duplicate, rejected (signature), invalid, failed. */
  total: new Counter({ name: 'interviewctl_webhooks_total', help: 'LiveKit webhook deliveries received, by event and outcome', labelNames: ['event', 'outcome'] as const, registers }),
  /** LiveKit's event time → serve received it (LiveKit stamps events in whole seconds). */
  ingestLag: new Histogram({
    name: 'interviewctl_webhook_ingest_lag_seconds',
    help: 'From the event time LiveKit stamped (whole seconds) to serve receiving the delivery',
    buckets: [0.5, 1, 2, 5, 10, 30, 60, 300],
    registers,
  }),
  /** serve received a delivery → its effect committed. */
  applyLag: new Histogram({
    name: 'interviewctl_webhook_apply_seconds',
    help: 'From serve receiving a delivery to its effect committed in the database',
    buckets: [1, 2.5, 5, 10, 25, 50, 100, 250, 1000].map((b) => b * ms),
    registers,
  }),
};

/** A claimed join: its time in serve, the LiveKit calls it waited on, and the rest (serve's own). */
export function observeJoin(totalMs: number, livekitMs: number): void {
  joinMetrics.duration.observe(totalMs / 1000);
  joinMetrics.livekitWait.observe(livekitMs / 1000);
  joinMetrics.own.observe(Math.max(0, totalMs - livekitMs) / 1000);
}

const LIVEKIT_EVENTS = new Set(['room_started', 'room_finished', 'participant_joined', 'participant_left', 'participant_connection_aborted', 'track_published', 'track_unpublished', 'egress_started', 'egress_updated', 'egress_ended', 'ingress_started', 'ingress_ended']);

/** The event label: LiveKit's event types, anything else as `other` (labels stay few). */
export function webhookEventLabel(event: string): string {
  return LIVEKIT_EVENTS.has(event) ? event : 'other';
}

/**
 * Reads `read` at most every `minIntervalMs` (one query per scrape interval, none for a scrape
 * storm); a failed read keeps the last value.
 */
function throttled<T>(read: () => Promise<T>, initial: T, minIntervalMs: number): () => Promise<T> {
  let last = initial;
  let at = -Infinity;
  let pending: Promise<void> | undefined;
  const refresh = async () => {
    try {
      last = await read();
    } catch {
      // keep the last figures; serve's log says when the database is down
    }
    at = performance.now();
  };
  return async () => {
    if (performance.now() - at >= minIntervalMs) await (pending ??= refresh().finally(() => (pending = undefined)));
    return last;
  };
}

let outboxBacklog: (() => Promise<{ pending: number; state: string }[]>) | undefined;

/** Outbound webhooks (SPEC.md section 13). */
export const outboxMetrics = {
  backlog: new Gauge({
    name: 'interviewctl_outbox_backlog',
    help: 'Outbound webhook deliveries waiting, by the state of their endpoint (ok, failing, disabled)',
    labelNames: ['endpoint_state'] as const,
    registers,
    async collect() {
      if (!outboxBacklog) return;
      const rows = await outboxBacklog();
      for (const state of ['ok', 'failing', 'disabled']) this.set({ endpoint_state: state }, rows.filter((r) => r.state === state).reduce((n, r) => n + r.pending, 0));
    },
  }),
  /** Delivery attempts by what became of them: delivered, retry (pending again), failed (given up). */
  deliveries: new Counter({ name: 'interviewctl_outbox_deliveries_total', help: 'Outbound webhook delivery attempts, by result', labelNames: ['result'] as const, registers }),
};

/** The outbox backlog gauge reads `backlog` (the hook repo's), at most every `minIntervalMs`. */
export function trackOutboxBacklog(backlog: () => Promise<{ pending: number; state: string }[]>, minIntervalMs = 5_000): void {
  outboxBacklog = throttled(backlog, [], minIntervalMs);
}

/**
 * The live-interviews gauge: one grouped count per scrape at most every `minIntervalMs` (a
 * Prometheus scraping every 15 s costs one cheap query; a scrape storm costs none). A failed
 * query keeps the last figures.
 */
export function trackLiveInterviews(countOpenByStatus: () => Promise<Record<string, number>>, minIntervalMs = 5_000): void {
  const read = throttled(countOpenByStatus, {}, minIntervalMs);
  serveRegistry.removeSingleMetric('interviewctl_interviews_live');
  new Gauge({
    name: 'interviewctl_interviews_live',
    help: 'Interviews live or finishing, by status (used, recording, ending)',
    labelNames: ['status'] as const,
    registers,
    async collect() {
      const last = await read();
      for (const status of ['used', 'recording', 'ending']) this.set({ status }, last[status] ?? 0);
    },
  });
}
