import type { InterviewRepo } from '../adapters/db/interviews.js';
import type { Interview } from '../core/interview.js';
import type { SessionRepo } from '../adapters/db/sessions.js';
import type { WebhookRepo } from '../adapters/db/webhooks.js';
import { ConflictError } from '../core/errors.js';
import { interviewIdFromRoom } from '../core/ids.js';
import { identityKind, planWebhook } from '../core/webhook-rules.js';

export interface WebhookFacts {
  id: string;
  event: string;
  roomName: string | null;
  participantIdentity: string | null;
  createdAt: Date | null;
  body: string;
}

export interface ApplyDeps {
  interviews: InterviewRepo;
  sessions: SessionRepo;
  webhooks: WebhookRepo;
}

export interface ReceiveDeps extends ApplyDeps {
  /**
   * Runs `fn` in one database transaction, with repos bound to it. With it, a delivery is stored,
   * applied and marked applied in one commit: one WAL flush instead of three, which is what bounds
   * the webhook rate on a slow disk.
   */
  transaction?: <T>(fn: (tx: ApplyDeps) => Promise<T>) => Promise<T>;
}

/** Reads the facts we keep out of a verified LiveKit event (protobuf-JSON or plain JSON). */
export function webhookFacts(body: string, parsed: { id?: string; event?: string; room?: { name?: string }; participant?: { identity?: string }; createdAt?: bigint | number | string }): WebhookFacts {
  const created = parsed.createdAt === undefined ? null : Number(parsed.createdAt);
  return {
    id: parsed.id ?? '',
    event: parsed.event ?? '',
    roomName: parsed.room?.name || null,
    participantIdentity: parsed.participant?.identity || null,
    createdAt: created && Number.isFinite(created) && created > 0 ? new Date(created * 1000) : null,
    body,
  };
}

/**
 * Applies one stored delivery to its interview. Returns a short description of what it did.
 * `known.interview` is the interview as just read, when the caller read it already.
 */
export async function applyWebhookFacts(deps: ApplyDeps, f: WebhookFacts, known?: { interview: Interview | undefined }): Promise<string> {
  const interviewId = f.roomName ? interviewIdFromRoom(f.roomName) : undefined;
  if (!interviewId) return 'ignored: not an interview room';
  const interview = known ? known.interview : await deps.interviews.findExact(interviewId);
  if (!interview) return 'ignored: unknown interview';
  const who = identityKind(f.participantIdentity, interviewId);
  const action = planWebhook(f.event, who, interview.status);
  switch (action.kind) {
    case 'candidate_joined': {
      const first = await deps.sessions.markCandidateJoined(interviewId, f.createdAt ?? new Date());
      const noted = await deps.sessions.note(interviewId, 'livekit', first ? 'candidate joined the room' : 'candidate rejoined the room', f.id);
      if (!noted) return 'no change: already applied';
      return first ? 'candidate joined' : 'candidate rejoined';
    }
    case 'note':
      return (await deps.sessions.note(interviewId, 'livekit', action.reason, f.id)) ? `noted: ${action.reason}` : 'no change: already applied';
    case 'end':
      try {
        await deps.interviews.applyEvent(interviewId, 'end', { actor: 'livekit', reason: action.reason, patch: { end_reason: action.reason }, webhookId: f.id });
        return `ended: ${action.reason}`;
      } catch (err) {
        if (!(err instanceof ConflictError)) throw err;
        // Another delivery ended it between our read and our update: record this one as it would
        // have been recorded had it come second.
        const late = planWebhook(f.event, who, 'ending');
        if (late.kind !== 'note') return 'no change: already past that state';
        return (await deps.sessions.note(interviewId, 'livekit', late.reason, f.id)) ? `noted: ${late.reason}` : 'no change: already applied';
      }
    case 'ignore':
      return 'ignored';
  }
}

/**
 * Stores a verified delivery (once, by LiveKit's event id) and applies it. A duplicate is a no-op.
 * A failure to apply is kept on the stored row so `webhooks replay` can retry it.
 */
export async function receiveWebhook(deps: ReceiveDeps, f: WebhookFacts): Promise<{ duplicate: boolean; result: string }> {
  const interviewId = f.roomName ? interviewIdFromRoom(f.roomName) ?? null : null;
  if (!deps.transaction) return storeThenApply(deps, f, interviewId);
  try {
    return await deps.transaction((tx) => receiveInTransaction(tx, f));
  } catch (err) {
    // Nothing of it was committed: keep the delivery with its error, as storeThenApply would.
    const message = (err as Error).message ?? String(err);
    if (await deps.webhooks.store({ ...f, interviewId }).catch(() => false)) await deps.webhooks.markApplied(f.id, message).catch(() => {});
    throw err;
  }
}

/**
 * Stores and applies a delivery inside a transaction the caller runs and commits; the row is
 * marked applied as it is stored, since both commit together or not at all.
 */
export async function receiveInTransaction(tx: ApplyDeps, f: WebhookFacts): Promise<{ duplicate: boolean; result: string }> {
  const interviewId = f.roomName ? interviewIdFromRoom(f.roomName) ?? null : null;
  // The read and the store go out together (the store waits, if this is a duplicate of a
  // delivery still in flight, for that one to commit); the read is wasted on a duplicate.
  const [interview, fresh] = await Promise.all([
    interviewId ? tx.interviews.findExact(interviewId) : undefined,
    tx.webhooks.store({ ...f, interviewId }, { applied: true }),
  ]);
  if (!fresh) return { duplicate: true, result: 'duplicate' };
  return { duplicate: false, result: await applyWebhookFacts(tx, f, { interview }) };
}

/** Without a transaction: store, apply, then mark applied, each committed on its own. */
async function storeThenApply(deps: ApplyDeps, f: WebhookFacts, interviewId: string | null): Promise<{ duplicate: boolean; result: string }> {
  const fresh = await deps.webhooks.store({ ...f, interviewId });
  if (!fresh) return { duplicate: true, result: 'duplicate' };
  try {
    const result = await applyWebhookFacts(deps, f);
    await deps.webhooks.markApplied(f.id, null);
    return { duplicate: false, result };
  } catch (err) {
    await deps.webhooks.markApplied(f.id, (err as Error).message ?? String(err)).catch(() => {});
    throw err;
  }
}
