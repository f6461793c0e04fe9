import { createHash } from 'node:crypto';
import type { Sql } from '../adapters/db/connect.js';
import type { InterviewRepo } from '../adapters/db/interviews.js';
import { NotFoundError, UsageError } from '../core/errors.js';
import { normalizeEmail } from '../core/personal-data.js';

/** Whom a data-rights command is about: one interview, or everyone with an email or a ref. */
export type Subject = { kind: 'id'; value: string } | { kind: 'email'; value: string } | { kind: 'ref'; value: string };

/** One interview of the subject; `deleted` for a tombstone (its personal data is gone). */
export interface SubjectInterview {
  id: string;
  status: string;
  createdAt: Date;
  name: string;
  deleted: boolean;
}

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
export async function findSubject(sql: Sql, interviews: InterviewRepo, subject: Subject): Promise<SubjectInterview[]> {
  const map = (rows: Record<string, unknown>[]) =>
    rows.map((r) => ({ id: r.id as string, status: r.status as string, createdAt: r.created_at as Date, name: r.candidate_name as string, deleted: r.deleted_at !== null }));
  let rows: Record<string, unknown>[];
  if (subject.kind === 'id') {
    // An id, a unique prefix, or a ref still present; then a deleted ref by its hash.
    let id: string | undefined;
    try {
      id = await interviews.resolveId(subject.value);
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
    rows = id
      ? await sql`select id, status, created_at, candidate_name, deleted_at from interviews where id = ${id}`
      : await sql`select id, status, created_at, candidate_name, deleted_at from interviews where erased_ref_sha256 = ${tombstoneHash('ref', subject.value)}`;
  } else if (subject.kind === 'email') {
    rows = await sql`
      select id, status, created_at, candidate_name, deleted_at from interviews
      where lower(candidate_email) = ${normalizeEmail(subject.value)} or erased_email_sha256 = ${tombstoneHash('email', subject.value)}
      order by created_at, id`;
  } else {
    rows = await sql`
      select id, status, created_at, candidate_name, deleted_at from interviews
      where ref = ${subject.value} or erased_ref_sha256 = ${tombstoneHash('ref', subject.value)}
      order by created_at, id`;
  }
  if (rows.length === 0) {
    // An email is not echoed: error lines end up in shell histories and CI logs.
    const what = subject.kind === 'id' ? `id or ref ${JSON.stringify(subject.value)}` : subject.kind === 'email' ? 'that email' : `ref ${JSON.stringify(subject.value)}`;
    throw new NotFoundError(`no interview with ${what}`);
  }
  return map(rows);
}
