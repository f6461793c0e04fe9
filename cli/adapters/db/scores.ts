import type { Recommendation, Scorecard } from '../../core/evaluation.js';
import type { ScoreSource } from '../../core/scores.js';
import type { Sql } from './connect.js';

export interface ReviewQueueRow {
  id: string;
  candidateName: string;
  ref: string | null;
  questionSet: string;
  completedAt: Date | null;
  evaluationStatus: string | null;
  recommendation: Recommendation | null;
  evaluationError: string | null;
}

/** Read models over evaluations and reviews: the audit export and what waits for a person. */
export function createScoreRepo(sql: Sql) {
  return {
    /** Completed interviews since `since` (by completion), optionally of one question set, oldest first. */
    async list(filter: { since: Date; set?: string; limit: number }): Promise<ScoreSource[]> {
      type Row = Omit<ScoreSource, 'evaluation' | 'review'> & { eStatus: string | null; model: string | null; promptHash: string | null; rubricHash: string | null;
        finishedAt: Date | null; result: Scorecard | null; decision: Recommendation | null; reviewer: string; rAt: Date; overrides: Record<string, number> | null };
      const rows = await sql<Row[]>`
        select i.id as interview_id, i.ref, i.candidate_name, i.question_set, i.lang, i.completed_at, jsonb_array_length(i.questions) as question_count,
               e.status as e_status, e.model, e.prompt_hash, e.rubric_hash, e.finished_at, e.result,
               r.decision, r.reviewer, r.at as r_at, r.overrides
        from interviews i
        left join interview_evaluations e on e.interview_id = i.id and e.current
        left join lateral (select * from interview_reviews x where x.interview_id = i.id order by x.id desc limit 1) r on true
        where i.status = 'completed' and i.completed_at >= ${filter.since}
          ${filter.set ? sql`and i.question_set = ${filter.set}` : sql``}
        order by i.completed_at, i.id
        limit ${filter.limit}`;
      // The joined evaluation and review nest, each null when there is none.
      return rows.map(({ eStatus, model, promptHash, rubricHash, finishedAt, result, decision, reviewer, rAt, overrides, ...interview }) => ({
        ...interview,
        evaluation: eStatus ? { status: eStatus, model, promptHash, rubricHash, finishedAt, scorecard: eStatus === 'succeeded' ? result : null } : null,
        review: decision ? { decision, reviewer, at: rAt, overrides: overrides ?? {} } : null,
      }));
    },

    /** Completed interviews no person has decided on yet, oldest first: what waits for a review. */
    async needsReview(limit: number): Promise<ReviewQueueRow[]> {
      return sql<ReviewQueueRow[]>`
        select i.id, i.candidate_name, i.ref, i.question_set, i.completed_at, e.status as evaluation_status, e.result->>'recommendation' as recommendation,
               e.error as evaluation_error
        from interviews i
        left join interview_evaluations e on e.interview_id = i.id and e.current
        where i.status = 'completed' and i.purged_at is null
          and not exists (select 1 from interview_reviews r where r.interview_id = i.id)
        order by i.completed_at nulls last, i.id
        limit ${limit}`;
    },
  };
}
