import type { Scorecard } from '../../core/evaluation.js';
import { evaluatedData } from '../../core/hook-events.js';
import type { Sql } from './connect.js';
import { numberId, type WithTextId } from './sql.js';
import { enqueueEvent } from './outbox.js';

/** One evaluation run of an interview (table interview_evaluations). */
export interface EvaluationRow {
  id: number;
  interviewId: string;
  current: boolean;
  status: 'running' | 'succeeded' | 'failed';
  attempts: number;
  runs: number;
  leaseUntil: Date | null;
  nextAttemptAt: Date | null;
  error: string | null;
  model: string | null;
  promptHash: string | null;
  rubricHash: string | null;
  result: Scorecard | null;
  evaluationKey: string | null;
  trigger: string;
  createdAt: Date;
  finishedAt: Date | null;
}

type Stored = WithTextId<EvaluationRow>;
const toEvaluation = (r: Stored) => numberId<EvaluationRow>(r);

export type ClaimOutcome = { claimed: EvaluationRow } | { busy: EvaluationRow } | { done: EvaluationRow };

export interface EvaluationStamp {
  model: string;
  promptHash: string;
  rubricHash: string;
}

export function createEvaluationRepo(sql: Sql) {
  return {
    /** The evaluation reports show: the current run, whatever its status. */
    async current(interviewId: string): Promise<EvaluationRow | undefined> {
      const [row] = await sql<Stored[]>`select * from interview_evaluations where interview_id = ${interviewId} and current`;
      return row ? toEvaluation(row) : undefined;
    },

    /** Every run, newest first (reruns keep the earlier ones). */
    async history(interviewId: string): Promise<EvaluationRow[]> {
      const rows = await sql<Stored[]>`select * from interview_evaluations where interview_id = ${interviewId} order by id desc`;
      return rows.map(toEvaluation);
    },

    /**
     * Takes the right to run the evaluation of one interview, atomically (several serve replicas
     * and a CLI may try at once). Without `force`: only when there is no current run, or the
     * current one failed (a retry), or its holder died (lease passed). With `force`: a finished
     * current run becomes history and a new one starts. A live run is never taken over.
     */
    async claim(interviewId: string, opts: { force: boolean; leaseMs: number; trigger: string }): Promise<ClaimOutcome> {
      return sql.begin(async (tx) => {
        const t = tx as unknown as Sql;
        // Serialises claimers of this interview for the length of this short transaction.
        await t`select id from interviews where id = ${interviewId} for update`;
        const [cur] = await t<Stored[]>`select * from interview_evaluations where interview_id = ${interviewId} and current`;
        const lease = new Date(Date.now() + opts.leaseMs);
        if (cur) {
          const row = toEvaluation(cur);
          const live = row.status === 'running' && row.leaseUntil !== null && row.leaseUntil.getTime() > Date.now();
          if (live) return { busy: row };
          if (row.status === 'succeeded' && !opts.force) return { done: row };
          if (row.status !== 'succeeded' && !opts.force) {
            const [again] = await t<Stored[]>`
              update interview_evaluations set status = 'running', lease_until = ${lease}, runs = runs + (case when status = 'failed' then 1 else 0 end),
                error = null, next_attempt_at = null, trigger = ${opts.trigger}
              where id = ${row.id} returning *`;
            return { claimed: toEvaluation(again!) };
          }
          await t`update interview_evaluations set current = false where id = ${row.id}`;
        }
        const [fresh] = await t<Stored[]>`
          insert into interview_evaluations (interview_id, status, lease_until, trigger)
          values (${interviewId}, 'running', ${lease}, ${opts.trigger}) returning *`;
        return { claimed: toEvaluation(fresh!) };
      }) as Promise<ClaimOutcome>;
    },

    /** Counts one more model call of a run, and extends its lease. */
    async attempted(id: number, leaseMs: number): Promise<void> {
      await sql`update interview_evaluations set attempts = attempts + 1, lease_until = ${new Date(Date.now() + leaseMs)} where id = ${id}`;
    },

    /**
     * Stores a successful run, its note in the interview's event log, and (later) the outbox row,
     * in one transaction.
     */
    async succeed(row: EvaluationRow, stamp: EvaluationStamp, result: Scorecard, evaluationKey: string | null, note: string): Promise<EvaluationRow> {
      return sql.begin(async (tx) => {
        const t = tx as unknown as Sql;
        const [saved] = await t<Stored[]>`
          update interview_evaluations set status = 'succeeded', model = ${stamp.model}, prompt_hash = ${stamp.promptHash},
            rubric_hash = ${stamp.rubricHash}, result = ${t.json(result as never)}, evaluation_key = ${evaluationKey},
            error = null, lease_until = null, next_attempt_at = null, finished_at = now()
          where id = ${row.id} returning *`;
        const [i] = await t<{ ref: string | null }[]>`
          insert into interview_events (interview_id, from_status, to_status, actor, reason)
          select id, status, status, 'evaluator', ${note} from interviews where id = ${row.interviewId}
          returning (select ref from interviews where id = ${row.interviewId}) as ref`;
        // outbox: interview.evaluated
        await enqueueEvent(t, {
          type: 'interview.evaluated',
          interviewId: row.interviewId,
          data: evaluatedData({
            interviewId: row.interviewId,
            ref: i?.ref ?? null,
            evaluatedAt: saved!.finishedAt ?? new Date(),
            model: stamp.model,
            // An unsupported score goes out as null (flagged): a receiver that ignores the flag must not
            // take an uncited score for a cited one.
            scores: result.questions.map((q) => ({
              question: q.question,
              competency: q.competency,
              score: q.support === 'unsupported' ? null : q.score,
              scale: [result.scale.min, result.scale.max] as [number, number],
              ...(q.support === 'unsupported' ? { unsupported: true } : {}),
            })),
            recommendation: result.recommendation,
          }),
        });
        return toEvaluation(saved!);
      }) as Promise<EvaluationRow>;
    },

    /** Stores a failed run with its reason; `retryAt` is when serve's sweep may try again. */
    async fail(row: EvaluationRow, stamp: Partial<EvaluationStamp>, error: string, retryAt: Date | null): Promise<EvaluationRow> {
      const [saved] = await sql<Stored[]>`
        update interview_evaluations set status = 'failed', error = ${error}, model = ${stamp.model ?? null},
          prompt_hash = ${stamp.promptHash ?? null}, rubric_hash = ${stamp.rubricHash ?? null},
          lease_until = null, next_attempt_at = ${retryAt}, finished_at = now()
        where id = ${row.id} returning *`;
      return toEvaluation(saved!);
    },

    /**
     * Completed interviews with candidate text that want an evaluation: none yet, or (`retries`)
     * a failed one whose retry time came, or one whose runner died. Oldest first.
     */
    async due(opts: { retries: 'due' | 'all'; limit: number }): Promise<string[]> {
      const rows = await sql<{ id: string }[]>`
        select i.id from interviews i
        left join interview_evaluations e on e.interview_id = i.id and e.current
        where i.status = 'completed' and i.purged_at is null
          and exists (select 1 from utterances u where u.interview_id = i.id and u.speaker = 'candidate' and coalesce(btrim(u.text), '') <> '')
          and (e.id is null
               or (e.status = 'running' and e.lease_until < now())
               or (e.status = 'failed' and ${opts.retries === 'all'})
               or (e.status = 'failed' and e.next_attempt_at <= now()))
        order by i.completed_at nulls last, i.id
        limit ${opts.limit}`;
      return rows.map((r) => r.id);
    },
  };
}

export type EvaluationRepo = ReturnType<typeof createEvaluationRepo>;
