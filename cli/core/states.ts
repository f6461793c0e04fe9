/** Interview states and the one table of allowed moves (SPEC.md section 2). */
export const STATUSES = [
  'created',
  'used',
  'recording',
  'ending',
  'completed',
  'expired',
  'revoked',
  'failed',
] as const;
export type Status = (typeof STATUSES)[number];

export const LIVE_STATUSES: readonly Status[] = ['used', 'recording', 'ending'];
export const TERMINAL_STATUSES: readonly Status[] = ['completed', 'expired', 'revoked', 'failed'];

export type InterviewEvent =
  | 'join'
  | 'recorder_started'
  | 'end'
  | 'finalized'
  | 'fail'
  | 'expire'
  | 'revoke';

export type Effect = 'dispatch_agent' | 'notify_agent' | 'finalize_recording' | 'none';

interface Rule {
  from: readonly Status[];
  to: Status;
  effects: readonly Effect[];
}

const RULES: Record<InterviewEvent, Rule> = {
  join: { from: ['created'], to: 'used', effects: ['dispatch_agent'] },
  recorder_started: { from: ['used'], to: 'recording', effects: [] },
  end: { from: ['used', 'recording'], to: 'ending', effects: ['notify_agent', 'finalize_recording'] },
  finalized: { from: ['ending'], to: 'completed', effects: [] },
  fail: { from: ['used', 'recording', 'ending'], to: 'failed', effects: ['notify_agent'] },
  expire: { from: ['created'], to: 'expired', effects: [] },
  revoke: { from: ['created'], to: 'revoked', effects: [] },
};

export function isStatus(value: string): value is Status {
  return (STATUSES as readonly string[]).includes(value);
}

export function isInterviewEvent(value: string): value is InterviewEvent {
  // Own keys only: `in` would also accept "toString" and the other Object.prototype names.
  return Object.hasOwn(RULES, value);
}

/** The states an event may leave from: the guard of the SQL `UPDATE … WHERE status = ANY(…)`. */
export function allowedFrom(event: InterviewEvent): readonly Status[] {
  return RULES[event].from;
}

/** The state an event leads to. */
export function targetOf(event: InterviewEvent): Status {
  return RULES[event].to;
}

export type TransitionResult =
  | { ok: true; state: Status; effects: readonly Effect[] }
  | { ok: false; state: Status; reason: string };

/** Applies an event to a state. Pure: the adapter runs the same rule as one guarded statement. */
export function transition(state: Status, event: InterviewEvent): TransitionResult {
  const rule = RULES[event];
  if (rule.from.includes(state)) return { ok: true, state: rule.to, effects: rule.effects };
  return { ok: false, state, reason: `cannot ${event.replace('_', ' ')} an interview that is ${state}` };
}

/**
 * What a stored status means right now: an unused link past its expiry reads as expired
 * even before the sweep has written it.
 */
export function effectiveStatus(status: Status, expiresAt: Date, now: Date): Status {
  return status === 'created' && expiresAt.getTime() <= now.getTime() ? 'expired' : status;
}

export function isLive(status: Status): boolean {
  return LIVE_STATUSES.includes(status);
}
