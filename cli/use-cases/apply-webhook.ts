import type { InterviewRepo } from '../adapters/db/interviews.js';
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

/** Applies one stored delivery to its interview. Returns a short description of what it did. */
export async function applyWebhookFacts(deps: ApplyDeps, f: WebhookFacts): Promise<string> {
  const interviewId = f.roomName ? interviewIdFromRoom(f.roomName) : undefined;
  if (!interviewId) return 'ignored: not an interview room';
  const interview = await deps.interviews.findExact(interviewId);
  if (!interview) return 'ignored: unknown interview';
  const action = planWebhook(f.event, identityKind(f.participantIdentity, interviewId), interview.status);
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
        if (err instanceof ConflictError) return 'no change: already past that state';
        throw err;
      }
    case 'ignore':
      return 'ignored';
  }
}

/**
 * Stores a verified delivery (once, by LiveKit's event id) and applies it. A duplicate is a no-op.
 * A failure to apply is kept on the stored row so `webhooks replay` can retry it.
 */
export async function receiveWebhook(deps: ApplyDeps, f: WebhookFacts): Promise<{ duplicate: boolean; result: string }> {
  const interviewId = f.roomName ? interviewIdFromRoom(f.roomName) ?? null : null;
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
