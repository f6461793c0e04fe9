import type { Sql } from './connect.js';

/** One interview of a data-rights subject; `deleted` for a tombstone (its personal data is gone). */
export interface SubjectInterview {
  id: string;
  status: string;
  createdAt: Date;
  name: string;
  deleted: boolean;
}

/**
 * Finds the interviews a data-rights command is about, tombstones included: a deleted interview
 * keeps only one-way hashes of its email and ref, which the caller computes.
 */
export function createSubjectRepo(sql: Sql) {
  const map = (rows: { id: string; status: string; created_at: Date; candidate_name: string; deleted_at: Date | null }[]): SubjectInterview[] =>
    rows.map((r) => ({ id: r.id, status: r.status, createdAt: r.created_at, name: r.candidate_name, deleted: r.deleted_at !== null }));
  type Row = Parameters<typeof map>[0][number];
  return {
    async byId(id: string): Promise<SubjectInterview[]> {
      return map(await sql<Row[]>`select id, status, created_at, candidate_name, deleted_at from interviews where id = ${id}`);
    },
    /** Interviews whose ref was erased, by the ref's hash. */
    async byErasedRef(refHash: string): Promise<SubjectInterview[]> {
      return map(await sql<Row[]>`select id, status, created_at, candidate_name, deleted_at from interviews where erased_ref_sha256 = ${refHash}`);
    },
    /** By a normalized email, or the hash a tombstone keeps of it; oldest first. */
    async byEmail(email: string, emailHash: string): Promise<SubjectInterview[]> {
      return map(await sql<Row[]>`
        select id, status, created_at, candidate_name, deleted_at from interviews
        where lower(candidate_email) = ${email} or erased_email_sha256 = ${emailHash}
        order by created_at, id`);
    },
    /** By ref, or the hash a tombstone keeps of it; oldest first. */
    async byRef(ref: string, refHash: string): Promise<SubjectInterview[]> {
      return map(await sql<Row[]>`
        select id, status, created_at, candidate_name, deleted_at from interviews
        where ref = ${ref} or erased_ref_sha256 = ${refHash}
        order by created_at, id`);
    },
  };
}

export type SubjectRepo = ReturnType<typeof createSubjectRepo>;
