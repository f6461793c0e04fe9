import { createHash } from 'node:crypto';
import type { InterviewRepo } from '../adapters/db/interviews.js';
import type { SubjectInterview, SubjectRepo } from '../adapters/db/subjects.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import { normalizeEmail } from '../core/personal-data.js';

/** Whom a data-rights command is about: one interview, or everyone with an email or a ref. */
export type Subject = { kind: 'id'; value: string } | { kind: 'email'; value: string } | { kind: 'ref'; value: string };

export type { SubjectInterview };

/** The one-way hashes a tombstone keeps, so a repeated request finds it (never the value itself). */
export const tombstoneHash = (kind: 'email' | 'ref', value: string) =>
  createHash('sha256').update(`interviewctl:${kind}:${kind === 'email' ? normalizeEmail(value) : value}`).digest('hex');

/** Reads `ID | --email E | --ref R` from a command's argument and options. */
export function subjectFrom(id: string | undefined, opts: { email?: string; ref?: string }): Subject {
  const given = [id !== undefined, opts.email !== undefined, opts.ref !== undefined].filter(Boolean).length;
  if (given !== 1) throw new UsageError('name the candidate once: an interview ID, --email E or --ref R');
  if (opts.email !== undefined) {
    if (!/^[^\s@]+@[^\s@]+$/.test(opts.email.trim())) throw new UsageError(`--email: ${JSON.stringify(opts.email)} is not an email address`);
    return { kind: 'email', value: opts.email };
  }
  if (opts.ref !== undefined) {
    if (opts.ref.trim() === '') throw new UsageError('--ref: empty');
    return { kind: 'ref', value: opts.ref };
  }
  return { kind: 'id', value: id! };
}

/** Every interview of the subject, oldest first, tombstones included. Exit 4 when there is none. */
export async function findSubject(subjects: SubjectRepo, interviews: InterviewRepo, subject: Subject): Promise<SubjectInterview[]> {
  let found: SubjectInterview[];
  if (subject.kind === 'id') {
    // An id, a unique prefix, or a ref still present; then a deleted ref by its hash.
    let id: string | undefined;
    try {
      id = await interviews.resolveId(subject.value);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    found = id ? await subjects.byId(id) : await subjects.byErasedRef(tombstoneHash('ref', subject.value));
  } else if (subject.kind === 'email') {
    found = await subjects.byEmail(normalizeEmail(subject.value), tombstoneHash('email', subject.value));
  } else {
    found = await subjects.byRef(subject.value, tombstoneHash('ref', subject.value));
  }
  if (found.length === 0) {
    // An email is not echoed: error lines end up in shell histories and CI logs.
    const what = subject.kind === 'id' ? `id or ref ${JSON.stringify(subject.value)}` : subject.kind === 'email' ? 'that email' : `ref ${JSON.stringify(subject.value)}`;
    throw new NotFoundError(`no interview with ${what}`);
  }
  return found;
}
