import type { EventWrite, InterviewWrite, NewWebhook, WebhookRepo } from '../adapters/db/webhooks.js';
import { interviewIdFromRoom } from '../core/ids.js';
import { identityKind, interviewNeed, planDeliveries, type DeliveryInBatch, type InterviewNow } from '../core/webhook-rules.js';

export interface WebhookFacts {
  id: string;
  event: string;
  roomName: string | null;
  participantIdentity: string | null;
  createdAt: Date | null;
  body: string;
}

export type WebhookOutcome = { duplicate: boolean; result: string };

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const field = (o: unknown, camel: string, snake: string): unknown => {
  if (typeof o !== 'object' || o === null) return undefined;
  const r = o as Record<string, unknown>;
  return r[camel] ?? r[snake];
};

/**
 * Reads the facts we keep out of a verified LiveKit event, parsed once from its body: LiveKit's
 * protobuf JSON (camelCase, int64 as strings) or the proto field names. Returns undefined for a
 * body that is not a LiveKit event (no id or type, or fields of the wrong kind).
 */
export function webhookFacts(body: string, parsed: unknown): WebhookFacts | undefined {
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return undefined;
  const p = parsed as Record<string, unknown>;
  const id = text(p.id);
  const event = text(p.event);
  const room = p.room;
  const participant = p.participant;
  if (!id || !event) return undefined;
  if ((room !== undefined && room !== null && typeof room !== 'object') || (participant !== undefined && participant !== null && typeof participant !== 'object')) return undefined;
  const createdRaw = field(p, 'createdAt', 'created_at');
  const created = typeof createdRaw === 'string' || typeof createdRaw === 'number' ? Number(createdRaw) : NaN;
  return {
    id,
    event,
    roomName: text(field(room, 'name', 'name')),
    participantIdentity: text(field(participant, 'identity', 'identity')),
    createdAt: Number.isFinite(created) && created > 0 ? new Date(created * 1000) : null,
    body,
  };
}

const toNew = (f: WebhookFacts): NewWebhook => ({ ...f, interviewId: (f.roomName && interviewIdFromRoom(f.roomName)) || null });

/**
 * Applies deliveries, in the order given (received order), inside the caller's transaction: reads
 * their interviews (locking those the batch may change), folds each interview's deliveries through
 * the pure rules (planDeliveries), and writes the outcome of the whole batch at once: one
 * statement per kind of write, sent together. Returns one result per delivery.
 * `reapply`: the deliveries are stored already (a replay): look up which were applied before, and
 * mark the rest applied. `locked`: the caller locked and read the interviews already.
 */
export async function applyDeliveries(
  repo: WebhookRepo,
  fs: readonly WebhookFacts[],
  opts: { reapply: boolean; locked?: Map<string, InterviewNow> },
): Promise<string[]> {
  const results: string[] = new Array(fs.length);
  const groups = new Map<string, number[]>();
  const lock = new Set<string>();
  fs.forEach((f, i) => {
    const id = f.roomName ? interviewIdFromRoom(f.roomName) : undefined;
    if (!id) {
      results[i] = 'ignored: not an interview room';
      return;
    }
    const need = interviewNeed(f.event, identityKind(f.participantIdentity, id));
    if (need === 'none') {
      results[i] = 'ignored';
      return;
    }
    if (need === 'lock') lock.add(id);
    let g = groups.get(id);
    if (!g) groups.set(id, (g = []));
    g.push(i);
  });
  const inRooms = [...groups.values()].flat().map((i) => fs[i]!.id);
  // Both reads go out together (one round-trip).
  const [now, applied] = await Promise.all([
    opts.locked ?? repo.readInterviews([...lock], [...groups.keys()].filter((id) => !lock.has(id))),
    opts.reapply ? repo.appliedIds(inRooms) : new Set<string>(),
  ]);

  const interviews: InterviewWrite[] = [];
  const events: EventWrite[] = [];
  const at = new Date();
  for (const [interviewId, members] of groups) {
    const deliveries: DeliveryInBatch[] = members.map((i) => {
      const f = fs[i]!;
      return { id: f.id, event: f.event, participantIdentity: f.participantIdentity, createdAt: f.createdAt, alreadyApplied: applied.has(f.id) };
    });
    const plan = planDeliveries(interviewId, now.get(interviewId), deliveries, at);
    members.forEach((i, k) => (results[i] = plan.results[k]!));
    if (plan.endReason !== null || plan.candidateJoinedAt !== null) interviews.push({ id: interviewId, endReason: plan.endReason, candidateJoinedAt: plan.candidateJoinedAt });
    for (const e of plan.events) events.push({ ...e, interviewId });
  }
  const markApplied = opts.reapply ? fs.map((f) => f.id) : [];
  if (interviews.length === 0 && events.length === 0 && markApplied.length === 0) return results;
  const logged = await repo.writeApplied({ interviews, events, markApplied });
  // An event row that was there already (written by an apply that raced this one) is no change.
  if (logged.size < events.length) {
    const planned = new Set(events.map((e) => e.webhookId));
    fs.forEach((f, i) => {
      if (planned.has(f.id) && !logged.has(f.id)) results[i] = 'no change: already applied';
    });
  }
  return results;
}

/**
 * Stores fresh deliveries (once, by LiveKit's event id) and applies them, inside the caller's
 * transaction; a delivery seen before is a duplicate and changes nothing. Store and interview reads
 * go out together, then the writes: two round-trips for the whole batch.
 */
export async function receiveDeliveries(repo: WebhookRepo, fs: readonly WebhookFacts[]): Promise<WebhookOutcome[]> {
  const first = new Map<string, number>();
  fs.forEach((f, i) => {
    if (!first.has(f.id)) first.set(f.id, i);
  });
  const unique = [...first.values()].map((i) => fs[i]!);
  const news = unique.map(toNew);
  const [lock, read] = [new Set<string>(), new Set<string>()];
  for (const w of news) {
    if (!w.interviewId) continue;
    const need = interviewNeed(w.event, identityKind(w.participantIdentity, w.interviewId));
    if (need !== 'none') (need === 'lock' ? lock : read).add(w.interviewId);
  }
  const [fresh, locked] = await Promise.all([repo.storeMany(news), repo.readInterviews([...lock], [...read].filter((id) => !lock.has(id)))]);
  const toApply = unique.filter((f) => fresh.has(f.id));
  const results = toApply.length > 0 ? await applyDeliveries(repo, toApply, { reapply: false, locked }) : [];
  const byId = new Map(toApply.map((f, k) => [f.id, results[k]!]));
  return fs.map((f, i) => (first.get(f.id) === i && byId.has(f.id) ? { duplicate: false, result: byId.get(f.id)! } : { duplicate: true, result: 'duplicate' }));
}

/**
 * Receives one delivery in a transaction of its own (`transaction` runs and commits it). When it
 * cannot be applied, the delivery is still stored, with the error, so `webhooks replay` can retry
 * it, and the error is rethrown (serve answers 5xx and LiveKit retries).
 */
export async function receiveAlone(
  repo: WebhookRepo,
  transaction: <T>(fn: (tx: WebhookRepo) => Promise<T>) => Promise<T>,
  f: WebhookFacts,
): Promise<WebhookOutcome> {
  try {
    const [outcome] = await transaction((tx) => receiveDeliveries(tx, [f]));
    return outcome!;
  } catch (err) {
    await repo.storeFailed(toNew(f), (err as Error).message ?? String(err)).catch(() => {});
    throw err;
  }
}
