// Pure decisions: which screen an interview status or an API error leads to. No DOM, no
// LiveKit, so the rules can be unit-tested.
import type { ApiError, InterviewStatus } from './api';

export type ErrorCode =
  | 'not_found'
  | 'already_used'
  | 'expired'
  | 'revoked'
  | 'ended'
  | 'devices_denied'
  | 'unsupported'
  | 'network';

/** Where the page goes when it opens. */
export type Landing = 'preflight' | 'rejoin' | 'done' | ErrorCode;

/** What happens next for a candidate who is (or was) in the call. 'live' means keep going or retry. */
export type Outcome = 'live' | 'done' | 'reload' | ErrorCode;

/** The interview id is the last path segment: `/interview/<id>`. */
export function interviewIdFromPath(pathname: string): string | null {
  const last = pathname.split('/').filter(Boolean).at(-1);
  if (!last) return null;
  try {
    const id = decodeURIComponent(last);
    return /^[A-Za-z0-9_-]{1,200}$/.test(id) ? id : null;
  } catch {
    return null;
  }
}

/**
 * The first screen for a status. With a resumeKey (this tab joined before) a live interview is
 * rejoined without the preflight, so a reload never ends it; without one it belongs to someone else.
 */
export function landingFor(status: InterviewStatus, hasResumeKey: boolean): Landing {
  switch (status) {
    case 'created':
      return 'preflight';
    case 'used':
    case 'recording':
      return hasResumeKey ? 'rejoin' : 'already_used';
    case 'ending':
    case 'completed':
      return hasResumeKey ? 'done' : 'ended';
    case 'expired':
    case 'revoked':
      return status;
    case 'failed':
      return 'ended';
    default:
      return 'ended';
  }
}

/** The status seen while rejoining with a resumeKey. */
export function outcomeForStatus(status: InterviewStatus): Exclude<Outcome, 'reload'> {
  switch (status) {
    case 'created': // the join will claim it again with the consent given in this tab
    case 'used':
    case 'recording':
      return 'live';
    case 'ending':
    case 'completed':
      return 'done';
    case 'expired':
    case 'revoked':
      return status;
    case 'failed':
    default:
      return 'ended';
  }
}

/**
 * A join or end error. `inCall` is true once this tab holds the interview: a 410 `ended` is then
 * the candidate's own interview finishing, not a stranger's dead link.
 */
export function outcomeForApiError(error: Pick<ApiError, 'status' | 'code'>, inCall: boolean): Outcome {
  if (error.status === 404) return 'not_found';
  // The server serves a newer page than this one (its disclosure text changed): reload.
  if (error.code === 'disclosure_outdated') return 'reload';
  if (error.status === 409) return 'already_used';
  if (error.status === 410) {
    if (error.code === 'expired' || error.code === 'revoked') return error.code;
    return inCall ? 'done' : 'ended';
  }
  return 'live'; // 400, 403, 429 and anything unexpected: the caller decides how to retry
}
