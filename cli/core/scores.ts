import type { Recommendation, Scorecard } from './evaluation.js';

/**
 * `interviewctl scores`: one row per interview for audits (e.g. NYC Local Law 144 bias audits:
 * per-candidate scores and outcomes), as CSV or JSON.
 */
export interface ScoreSource {
  interviewId: string;
  ref: string | null;
  candidateName: string;
  questionSet: string;
  lang: string;
  completedAt: Date | null;
  questionCount: number;
  evaluation: { status: string; model: string | null; promptHash: string | null; rubricHash: string | null; finishedAt: Date | null; scorecard: Scorecard | null } | null;
  review: { decision: Recommendation; reviewer: string; at: Date; overrides: Record<string, number> } | null;
}

export type Cell = string | number | boolean | null;

/** The columns: fixed ones, then per question its AI score, whether a quote supports it, and a person's score. */
export function scoreTable(sources: readonly ScoreSource[]): { headers: string[]; rows: Cell[][] } {
  const most = Math.max(0, ...sources.map((s) => s.questionCount));
  const headers = [
    'interview_id', 'ref', 'candidate', 'question_set', 'lang', 'completed_at', 'evaluation_status', 'model', 'prompt_hash', 'rubric_hash',
    'evaluated_at', 'recommendation_advisory', 'decision', 'decided_by', 'decided_at',
  ];
  for (let n = 1; n <= most; n++) headers.push(`q${n}_score`, `q${n}_supported`, `q${n}_reviewer_score`);
  const rows = sources.map((s) => {
    const card = s.evaluation?.scorecard ?? null;
    const row: Cell[] = [
      s.interviewId, s.ref, s.candidateName, s.questionSet, s.lang, s.completedAt?.toISOString() ?? null,
      s.evaluation?.status ?? 'none', s.evaluation?.model ?? null, s.evaluation?.promptHash ?? null, s.evaluation?.rubricHash ?? null,
      s.evaluation?.finishedAt?.toISOString() ?? null, card?.recommendation ?? null, s.review?.decision ?? null, s.review?.reviewer ?? null, s.review?.at.toISOString() ?? null,
    ];
    for (let n = 1; n <= most; n++) {
      const q = card?.questions.find((x) => x.question === n);
      row.push(q?.score ?? null, q ? q.support === 'cited' : null, s.review?.overrides[String(n)] ?? null);
    }
    return row;
  });
  return { headers, rows };
}

/**
 * A cell a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR at the start) gets a
 * leading `'`, as OWASP advises; numbers are left as numbers.
 */
export function neutraliseCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** RFC 4180 CSV with CRLF line ends; text cells are neutralised, then quoted when needed. */
export function toCsv(headers: readonly string[], rows: readonly Cell[][]): string {
  const cell = (v: Cell) => {
    if (v === null) return '';
    if (typeof v !== 'string') return String(v);
    const s = neutraliseCell(v);
    return /[",\r\n]/.test(s) || s !== v ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [headers, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
}
