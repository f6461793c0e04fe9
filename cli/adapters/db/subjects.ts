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
  const subject = sql`id, status, created_at, candidate_name as name, deleted_at is not null as deleted`;
  return {
    async byId(id: string): Promise<SubjectInterview[]> {
      return sql<SubjectInterview[]>`select ${subject} from interviews where id = ${id}`;
    },
    /** Interviews whose ref was erased, by the ref's hash. */
    async byErasedRef(refHash: string): Promise<SubjectInterview[]> {
      return sql<SubjectInterview[]>`select ${subject} from interviews where erased_ref_sha256 = ${refHash}`;
    },
    /** By a normalized email, or the hash a tombstone keeps of it; oldest first. */
    async byEmail(email: string, emailHash: string): Promise<SubjectInterview[]> {
      return sql<SubjectInterview[]>`
        select ${subject} from interviews
        where lower(candidate_email) = ${email} or erased_email_sha256 = ${emailHash}
        order by created_at, id`;
    },
    /** By ref, or the hash a tombstone keeps of it; oldest first. */
    async byRef(ref: string, refHash: string): Promise<SubjectInterview[]> {
      return sql<SubjectInterview[]>`
        select ${subject} from interviews
        where ref = ${ref} or erased_ref_sha256 = ${refHash}
        order by created_at, id`;
    },
  };
}

export type SubjectRepo = ReturnType<typeof createSubjectRepo>;
