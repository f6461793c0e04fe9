// The candidate API of `interviewctl serve`: same origin, JSON in and out, errors as
// {"error":"<code>","message":"…"}.

export type InterviewStatus =
  | 'created'
  | 'used'
  | 'recording'
  | 'ending'
  | 'completed'
  | 'expired'
  | 'revoked'
  | 'failed';

export interface PublicInterview {
  id: string;
  status: InterviewStatus;
  durationSeconds: number;
  expiresAt: string;
  endsAt: string | null;
  lang: string;
  firstName: string;
  /** `browser` when this page will record the interview itself (RECORDER=browser): it must be able to. */
  recorder?: 'browser';
}

export interface JoinGrant {
  token: string;
  livekitUrl: string;
  roomName: string;
  endsAt: string;
  resumeKey: string;
  /** `browser` when this page records the interview itself (RECORDER=browser). */
  recorder?: 'browser';
}

/** The server answered with an error status; `code` is its `error` field. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The request never got an answer the page could read (offline, DNS, proxy page, 5xx HTML…). */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
  }
}

const REQUEST_TIMEOUT_MS = 15_000;

async function request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller.signal,
    });
  } catch (cause) {
    throw new NetworkError(`${method} ${path} failed`, { cause });
  } finally {
    clearTimeout(timer);
  }
  let payload: unknown;
  try {
    payload = await response.json();
  } catch (cause) {
    throw new NetworkError(`${method} ${path}: unreadable ${response.status} response`, { cause });
  }
  if (!response.ok) {
    const record = (payload ?? {}) as { error?: unknown; message?: unknown };
    if (typeof record.error !== 'string') {
      throw new NetworkError(`${method} ${path}: ${response.status} without an error code`);
    }
    // 5xx means the service is unwell, which the candidate experiences as a connection problem.
    if (response.status >= 500) throw new NetworkError(`${method} ${path}: ${response.status} ${record.error}`);
    throw new ApiError(response.status, record.error, typeof record.message === 'string' ? record.message : record.error);
  }
  return payload as T;
}

function interviewPath(id: string): string {
  return `/api/interviews/${encodeURIComponent(id)}`;
}

export function getInterview(id: string): Promise<PublicInterview> {
  return request<PublicInterview>('GET', interviewPath(id));
}

/** The disclosure the candidate agreed to: its build-time version and the language shown. */
export interface DisclosureShown {
  version: string;
  lang: string;
}

export function joinInterview(id: string, resumeKey: string | null, disclosure: DisclosureShown | null): Promise<JoinGrant> {
  const body = { consent: true, disclosure, ...(resumeKey ? { resumeKey } : {}) };
  return request<JoinGrant>('POST', `${interviewPath(id)}/join`, body);
}

export function endInterview(id: string, resumeKey: string): Promise<{ status: string }> {
  return request<{ status: string }>('POST', `${interviewPath(id)}/end`, { resumeKey });
}

export interface IntegritySpan {
  kind: 'tab_hidden' | 'window_blur';
  startedAt: number;
  endedAt: number;
}

/**
 * Reports spans when the interview tab was hidden or the window not focused, for the person who
 * reads the report (never scored). `keepalive` lets the last report out while the page closes.
 */
export async function reportIntegrity(id: string, resumeKey: string, notes: IntegritySpan[]): Promise<void> {
  const response = await fetch(`${interviewPath(id)}/integrity`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ resumeKey, notes, sentAt: Date.now() }),
    credentials: 'same-origin',
    cache: 'no-store',
    keepalive: true,
  });
  if (!response.ok && response.status >= 500) throw new NetworkError(`integrity report: ${response.status}`);
}
