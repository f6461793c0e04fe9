import type { AttemptResult, ClaimedDelivery, HookRepo } from '../adapters/db/hooks.js';
import type { HookHttp, SendOutcome } from '../adapters/hooks/http-send.js';
import { hookBody, nextAttempt, verdictOf } from '../core/hook-events.js';

/** How long presigned links in interview.completed stay valid, from the attempt that carries them. */
export const HOOK_URL_TTL_S = 24 * 60 * 60;

export interface SenderDeps {
  repo: HookRepo;
  http: HookHttp;
  /** Presigns a storage key (interview.completed links); absent: the keys are sent without links. */
  presign?: (key: string, expiresSeconds: number) => Promise<string>;
  /** First retry delay; doubles per attempt up to an hour, with jitter (HOOKS_RETRY_BASE). */
  retryBaseMs: number;
  /** Deliveries taken per claim. */
  batch?: number;
  /** How long a claim holds a delivery: longer than the 10 s send timeout, so it never lapses mid-send. */
  leaseMs?: number;
  onAttempt?: (d: ClaimedDelivery, outcome: SendOutcome, result: AttemptResult) => void;
  now?: () => Date;
  random?: () => number;
}

export interface RoundSummary {
  claimed: number;
  delivered: number;
  retrying: number;
  failed: number;
}

/** The body of one attempt: interview.completed gets presigned links minted now. */
async function bodyFor(d: ClaimedDelivery, deps: SenderDeps, now: Date): Promise<string> {
  let data = d.event.data;
  if (d.event.type === 'interview.completed' && deps.presign) {
    const sign = async (key: unknown) => (typeof key === 'string' ? deps.presign!(key, HOOK_URL_TTL_S).catch(() => null) : null);
    const [recording, transcript] = await Promise.all([sign(data.recording_key), sign(data.transcript_key)]);
    data = { ...data, recording_url: recording, transcript_url: transcript, urls_expire_at: new Date(now.getTime() + HOOK_URL_TTL_S * 1000).toISOString() };
  }
  return JSON.stringify(hookBody({ id: d.event.id, type: d.event.type, createdAt: d.event.createdAt, data }));
}

/** Sends one attempt of each claimed delivery (all at once) and says what each one's answer means. */
async function attempt(d: ClaimedDelivery, deps: SenderDeps): Promise<[SendOutcome, AttemptResult]> {
  const now = (deps.now ?? (() => new Date()))();
  const body = await bodyFor(d, deps, now);
  const outcome = await deps.http.post(d.endpoint.url, { id: d.event.id, timestamp: now, body, secrets: d.endpoint.secrets }, d.endpoint.allowPrivate);
  const verdict = verdictOf(outcome.status);
  if (verdict === 'delivered') return [outcome, { id: d.id, state: 'delivered', status: outcome.status, error: null, nextAttemptAt: null }];
  if (verdict === 'endpoint_gone') {
    // Kept pending: `hooks resend` or re-enabling the endpoint sends it once someone is there again.
    return [outcome, { id: d.id, state: 'pending', status: 410, error: outcome.error, nextAttemptAt: null, disableEndpoint: 'answered 410 Gone' }];
  }
  const next = nextAttempt(d.attempts, new Date(), d.retryUntil, deps.retryBaseMs, deps.random);
  if (next === 'give_up') return [outcome, { id: d.id, state: 'failed', status: outcome.status, error: `${outcome.error} (gave up after ${d.attempts} attempts)`, nextAttemptAt: null }];
  return [outcome, { id: d.id, state: 'pending', status: outcome.status, error: outcome.error, nextAttemptAt: next }];
}

/**
 * One round: claim what is due (the head of each endpoint × interview chain), send it all at
 * once, write the results back in one statement. A crash between claim and write loses nothing:
 * the lease runs out and the delivery goes again, with the same webhook-id.
 */
export async function sendRound(deps: SenderDeps): Promise<RoundSummary> {
  const claimed = await deps.repo.claim(deps.batch ?? 100, deps.leaseMs ?? 20_000);
  const summary: RoundSummary = { claimed: claimed.length, delivered: 0, retrying: 0, failed: 0 };
  if (claimed.length === 0) return summary;
  const results = await Promise.all(claimed.map((d) => attempt(d, deps)));
  await deps.repo.record(results.map(([, r]) => r));
  results.forEach(([outcome, r], i) => {
    if (r.state === 'delivered') summary.delivered++;
    else if (r.state === 'failed') summary.failed++;
    else summary.retrying++;
    deps.onAttempt?.(claimed[i]!, outcome, r);
  });
  return summary;
}

/** `hooks send`: rounds until nothing is due (a chain's next event is due as soon as the one before is delivered). */
export async function sendAllDue(deps: SenderDeps, maxRounds = 10_000): Promise<RoundSummary> {
  const total: RoundSummary = { claimed: 0, delivered: 0, retrying: 0, failed: 0 };
  for (let i = 0; i < maxRounds; i++) {
    const r = await sendRound(deps);
    if (r.claimed === 0) break;
    total.claimed += r.claimed;
    total.delivered += r.delivered;
    total.retrying += r.retrying;
    total.failed += r.failed;
  }
  return total;
}

/**
 * The sender inside `serve`: up to `workers` loops claiming and sending rounds. A notification
 * (`wake()`, on the outbox NOTIFY) wakes one sleeping loop after `gatherMs`, so the changes
 * committed meanwhile share its claim; a loop whose claim came back full wakes another to help.
 * Sleeping loops also wake every `pollMs`, for retries falling due. Several replicas run this side
 * by side: claims skip each other's rows.
 */
export function startSender(deps: SenderDeps & { workers?: number; pollMs?: number; gatherMs?: number; onError?: (err: unknown) => void }) {
  let stopped = false;
  const batch = deps.batch ?? 100;
  const sleepers: (() => void)[] = [];
  let gathering: NodeJS.Timeout | undefined;
  const wakeOne = () => sleepers.shift()?.();
  const wake = () => {
    if (gathering || sleepers.length === 0) return;
    gathering = setTimeout(() => {
      gathering = undefined;
      wakeOne();
    }, deps.gatherMs ?? 20);
  };
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        const i = sleepers.indexOf(done);
        if (i >= 0) sleepers.splice(i, 1);
        resolve();
      };
      const timer = setTimeout(done, ms);
      sleepers.push(done);
    });
  const loop = async () => {
    let failures = 0;
    while (!stopped) {
      try {
        const r = await sendRound(deps);
        failures = 0;
        if (r.claimed >= batch) wakeOne();
        else if (r.claimed === 0) await sleep(deps.pollMs ?? 1000);
      } catch (err) {
        deps.onError?.(err);
        failures++;
        await sleep(Math.min(30_000, 500 * 2 ** Math.min(failures, 6)));
      }
    }
  };
  const loops = Array.from({ length: deps.workers ?? 4 }, () => loop());
  return {
    wake,
    /** Stops claiming; attempts in flight finish and are written back. */
    async stop() {
      stopped = true;
      clearTimeout(gathering);
      while (sleepers.length > 0) wakeOne();
      await Promise.all(loops);
    },
  };
}
