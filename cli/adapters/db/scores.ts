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
      const rows = await sql`
        select i.id, i.ref, i.candidate_name, i.question_set, i.lang, i.completed_at, jsonb_array_length(i.questions) as question_count,
               e.status as e_status, e.model, e.prompt_hash, e.rubric_hash, e.finished_at, e.result,
               r.decision, r.reviewer, r.at as r_at, r.overrides
        from interviews i
        left join interview_evaluations e on e.interview_id = i.id and e.current
        left join lateral (select * from interview_reviews x where x.interview_id = i.id order by x.id desc limit 1) r on true
        where i.status = 'completed' and i.completed_at >= ${filter.since}
          ${filter.set ? sql`and i.question_set = ${filter.set}` : sql``}
        order by i.completed_at, i.id
        limit ${filter.limit}`;
      return rows.map((r) => ({
        interviewId: r.id as string,
        ref: (r.ref as string | null) ?? null,
        candidateName: r.candidate_name as string,
        questionSet: r.question_set as string,
        lang: r.lang as string,
        completedAt: (r.completed_at as Date | null) ?? null,
        questionCount: Number(r.question_count),
        evaluation: r.e_status
          ? {
              status: r.e_status as string,
              model: (r.model as string | null) ?? null,
              promptHash: (r.prompt_hash as string | null) ?? null,
              rubricHash: (r.rubric_hash as string | null) ?? null,
              finishedAt: (r.finished_at as Date | null) ?? null,
              scorecard: r.e_status === 'succeeded' ? (r.result as Scorecard) : null,
            }
          : null,
        review: r.decision
          ? { decision: r.decision as Recommendation, reviewer: r.reviewer as string, at: r.r_at as Date, overrides: (r.overrides as Record<string, number>) ?? {} }
          : null,
      }));
    },

    /** Completed interviews no person has decided on yet, oldest first: what waits for a review. */
    async needsReview(limit: number): Promise<ReviewQueueRow[]> {
      const rows = await sql`
        select i.id, i.candidate_name, i.ref, i.question_set, i.completed_at, e.status as e_status, e.result->>'recommendation' as recommendation, e.error
        from interviews i
        left join interview_evaluations e on e.interview_id = i.id and e.current
        where i.status = 'completed' and i.purged_at is null
          and not exists (select 1 from interview_reviews r where r.interview_id = i.id)
        order by i.completed_at nulls last, i.id
        limit ${limit}`;
      return rows.map((r) => ({
        id: r.id as string,
        candidateName: r.candidate_name as string,
        ref: (r.ref as string | null) ?? null,
        questionSet: r.question_set as string,
        completedAt: (r.completed_at as Date | null) ?? null,
        evaluationStatus: (r.e_status as string | null) ?? null,
        recommendation: (r.recommendation as Recommendation | null) ?? null,
        evaluationError: (r.error as string | null) ?? null,
      }));
    },
  };
}
