import type { NewInterview } from '../../../cli/adapters/db/interviews.js';
import { newInterviewId } from '../../../cli/core/ids.js';

/** A ready-to-insert interview; override what the test is about. */
export function makeNewInterview(overrides: Partial<NewInterview> = {}): NewInterview {
  const createdAt = overrides.createdAt ?? new Date();
  return {
    id: newInterviewId(),
    candidateName: 'Ada Lovelace',
    candidateEmail: 'ada@example.com',
    ref: null,
    lang: 'en',
    durationMs: 20 * 60_000,
    questionSet: 'default',
    questions: [{ text: 'Tell me about yourself.', timeLimitMs: 120_000 }],
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 7 * 86_400_000),
    ...overrides,
  };
}
