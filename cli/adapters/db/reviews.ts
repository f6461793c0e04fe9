import type { Recommendation } from '../../core/evaluation.js';
import type { IntegrityNote } from '../../core/integrity.js';
import { reviewedData } from '../../core/hook-events.js';
import type { Sql } from './connect.js';
import { enqueueEvent } from './outbox.js';

/** A person's decision on an interview (table interview_reviews). */
export interface ReviewRow {
  id: number;
  interviewId: string;
  decision: Recommendation;
  note: string | null;
  /** Question number (1-based) → the person's score. */
  overrides: Record<string, number>;
  reviewer: string;
  evaluationId: number | null;
  at: Date;
}

type Stored = Omit<ReviewRow, 'id' | 'evaluationId'> & { id: string; evaluationId: string | null };

/** bigint ids arrive as strings. */
const toReview = (r: Stored): ReviewRow => ({ ...r, id: Number(r.id), evaluationId: r.evaluationId === null ? null : Number(r.evaluationId) });

export interface NewReview {
  interviewId: string;
  decision: Recommendation;
  note: string | null;
  overrides: Record<string, number>;
  reviewer: string;
  evaluationId: number | null;
}

export function createReviewRepo(sql: Sql) {
  return {
    /**
     * Records a decision and its note in the event log, in one transaction, only while the
     * interview is completed. Undefined when it is not (any more).
     */
    async add(r: NewReview): Promise<ReviewRow | undefined> {
      return sql.begin(async (tx) => {
        const t = tx as unknown as Sql;
        const [interview] = await t<{ status: string; ref: string | null }[]>`select status, ref from interviews where id = ${r.interviewId} for update`;
        if (interview?.status !== 'completed') return undefined;
        const [row] = await t<Stored[]>`
          insert into interview_reviews (interview_id, decision, note, overrides, reviewer, evaluation_id)
          values (${r.interviewId}, ${r.decision}, ${r.note}, ${t.json(r.overrides)}, ${r.reviewer}, ${r.evaluationId})
          returning *`;
        const changed = Object.keys(r.overrides).length;
        await t`
          insert into interview_events (interview_id, from_status, to_status, actor, reason)
          values (${r.interviewId}, 'completed', 'completed', ${`reviewer:${r.reviewer}`},
                  ${`reviewed: ${r.decision}${changed ? ` (${changed} score${changed === 1 ? '' : 's'} overridden)` : ''}`})`;
        // outbox: interview.reviewed
        const saved = toReview(row!);
        await enqueueEvent(t, {
          type: 'interview.reviewed',
          interviewId: r.interviewId,
          data: reviewedData({ interviewId: r.interviewId, ref: interview.ref, reviewedAt: saved.at, decision: saved.decision, reviewer: saved.reviewer, overriddenQuestions: Object.keys(r.overrides).map(Number) }),
        });
        return saved;
      }) as Promise<ReviewRow | undefined>;
    },

    /** The decision in force: the newest review. */
    async latest(interviewId: string): Promise<ReviewRow | undefined> {
      const [row] = await sql<Stored[]>`select * from interview_reviews where interview_id = ${interviewId} order by id desc limit 1`;
      return row ? toReview(row) : undefined;
    },

    async history(interviewId: string): Promise<ReviewRow[]> {
      const rows = await sql<Stored[]>`select * from interview_reviews where interview_id = ${interviewId} order by id desc`;
      return rows.map(toReview);
    },
  };
}

export function createIntegrityRepo(sql: Sql) {
  return {
    /** Stores spans the candidate page reported; at most `cap` per interview are kept. */
    async add(interviewId: string, notes: readonly IntegrityNote[], cap = 500): Promise<number> {
      if (notes.length === 0) return 0;
      const rows = notes.map((n) => [n.kind, n.startedAt.toISOString(), n.endedAt.toISOString()]);
      const res = await sql`
        insert into interview_integrity_notes (interview_id, kind, started_at, ended_at)
        select ${interviewId}, r->>0, (r->>1)::timestamptz, (r->>2)::timestamptz
        from jsonb_array_elements(${sql.json(rows as never)}::jsonb) as r
        where (select count(*) from interview_integrity_notes where interview_id = ${interviewId}) < ${cap}`;
      return res.count;
    },

    async list(interviewId: string): Promise<IntegrityNote[]> {
      return sql<IntegrityNote[]>`select kind, started_at, ended_at from interview_integrity_notes where interview_id = ${interviewId} order by started_at, id`;
    },
  };
}

export type ReviewRepo = ReturnType<typeof createReviewRepo>;
export type IntegrityRepo = ReturnType<typeof createIntegrityRepo>;
