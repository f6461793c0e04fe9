import { INTEGRITY_LABELS, type IntegrityKind } from './integrity.js';
import type { Recommendation, Scorecard } from './evaluation.js';
import type { Question } from './questions.js';
import type { Utterance } from './transcript.js';
import { vttTime } from './transcript.js';

/**
 * One interview for a hiring manager: what was asked and said, the AI's advisory scorecard with
 * its checked quotes, a person's review, and integrity notes. Pure data; the renderers below and
 * in report-html.ts turn it into text, Markdown and one HTML file.
 */
export interface ReportModel {
  generatedAt: Date;
  interview: {
    id: string;
    candidateName: string;
    ref: string | null;
    questionSet: string;
    lang: string;
    status: string;
    recordingStartedAt: Date | null;
    completedAt: Date | null;
    durationMs: number;
  };
  questions: Question[];
  utterances: Utterance[];
  evaluation: {
    status: 'running' | 'succeeded' | 'failed';
    error: string | null;
    model: string | null;
    promptHash: string | null;
    rubricHash: string | null;
    finishedAt: Date | null;
    /** Earlier runs kept as history. */
    earlierRuns: number;
    scorecard: Scorecard | null;
  } | null;
  review: { decision: Recommendation; note: string | null; overrides: Record<string, number>; reviewer: string; at: Date } | null;
  integrity: { kind: IntegrityKind; label: string; startedAt: Date; endedAt: Date; startMs: number | null; endMs: number | null }[];
  video: { url: string; expiresAt: Date | null } | null;
  /** The consents given with the join (SPEC section 14): when, and which disclosure text was shown. */
  consents: { at: Date; version: string; lang: string }[];
  /** RECORDER=browser: the page's recording against the interviewer's audio witness; null for other recorders. */
  recordingCheck?: { agrees: boolean; detail: string } | null;
}

/** The witness check as one line for a person (a disagreement says so first). */
export function recordingCheckText(c: { agrees: boolean; detail: string }): string {
  return c.agrees ? `the browser recording ${c.detail}` : `recording disagrees with its audio witness: ${c.detail}`;
}

/** One consent as a line: when, the disclosure's version (its text's hash) and language. */
export function consentText(c: ReportModel['consents'][number]): string {
  return `${iso(c.at)}: agreed to disclosure ${c.version.slice(0, 12)} (${c.lang})`;
}

export function integrityRows(notes: readonly { kind: IntegrityKind; startedAt: Date; endedAt: Date }[], recordingStartedAt: Date | null): ReportModel['integrity'] {
  const base = recordingStartedAt?.getTime();
  return notes.map((n) => ({
    ...n,
    label: INTEGRITY_LABELS[n.kind],
    startMs: base === undefined ? null : Math.max(0, n.startedAt.getTime() - base),
    endMs: base === undefined ? null : Math.max(0, n.endedAt.getTime() - base),
  }));
}

export const SPEAKER = { agent: 'Interviewer', candidate: 'Candidate' } as const;

/** `mm:ss` (or `h:mm:ss`) of an offset in the recording. */
export function clock(ms: number): string {
  const t = vttTime(ms);
  return t.startsWith('00:') ? t.slice(3, 8) : t.slice(0, 8);
}

const iso = (d: Date | null) => (d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '-');

/** A printable form of text from a candidate or a model: control characters become spaces. */
export function plain(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, ' ');
}

/** The status line of the evaluation, for every format. */
export function evaluationLine(m: ReportModel): string {
  const e = m.evaluation;
  if (!e) return 'not evaluated';
  if (e.status === 'running') return 'running now';
  if (e.status === 'failed') return `failed: ${e.error ?? 'unknown reason'}`;
  return `advisory recommendation: ${e.scorecard!.recommendation} (AI, for a person to decide)`;
}

/** The score a person gave, beside the AI's. */
export function overrideOf(m: ReportModel, question: number): number | undefined {
  return m.review?.overrides[String(question)];
}

/** Plain text for a terminal or an email. Everything from candidates and models is made printable. */
export function reportText(m: ReportModel): string {
  const i = m.interview;
  const lines: string[] = [
    `Interview ${i.id}`,
    `candidate   ${plain(i.candidateName)}${i.ref ? ` (ref ${plain(i.ref)})` : ''}`,
    `questions   ${plain(i.questionSet)} (${m.questions.length}), ${i.lang}`,
    `status      ${i.status}, completed ${iso(i.completedAt)}`,
    `evaluation  ${evaluationLine(m)}`,
    `review      ${m.review ? `${m.review.decision} by ${plain(m.review.reviewer)} at ${iso(m.review.at)}` : 'waiting for a person'}`,
    `video       ${m.video ? `${m.video.url}${m.video.expiresAt ? ` (valid until ${iso(m.video.expiresAt)})` : ''}` : 'none'}`,
  ];
  const card = m.evaluation?.scorecard;
  if (card) {
    lines.push('', `Scorecard (advisory; scale ${card.scale.min}-${card.scale.max}; model ${plain(m.evaluation!.model ?? '?')})`);
    for (const q of card.questions) {
      const o = overrideOf(m, q.question);
      lines.push(
        '',
        `${q.question}. ${plain(q.text)}${q.competency ? ` [${plain(q.competency)}]` : ''}`,
        `   AI score ${q.score}${q.support === 'unsupported' ? ' (unsupported: no quote found in the transcript)' : ''}${o !== undefined ? `; reviewer's score ${o}` : ''}`,
        `   ${plain(q.rationale)}`,
        ...q.evidence.map((e) => `   [${clock(e.startMs)}] "${plain(e.quote)}"`),
        ...q.dropped.map((d) => `   (dropped quote, ${d.reason}: "${plain(d.quote)}")`),
      );
    }
    lines.push('', `Summary: ${plain(card.summary)}`);
    if (card.strengths.length) lines.push('Strengths:', ...card.strengths.map((s) => `  - ${plain(s)}`));
    if (card.concerns.length) lines.push('Concerns:', ...card.concerns.map((s) => `  - ${plain(s)}`));
  }
  if (m.review?.note) lines.push('', `Reviewer's note: ${plain(m.review.note)}`);
  if (m.recordingCheck) lines.push('', `${m.recordingCheck.agrees ? 'Recording' : 'Recording — CHECK IT'}: ${plain(recordingCheckText(m.recordingCheck))}`);
  lines.push('', 'Consent', ...(m.consents.length ? m.consents.map((c) => `  ${plain(consentText(c))}`) : ['  none recorded']));
  if (m.integrity.length) {
    lines.push('', 'Integrity notes (for a person; never scored)');
    for (const n of m.integrity) lines.push(`  ${n.startMs === null ? iso(n.startedAt) : `[${clock(n.startMs)}-${clock(n.endMs!)}]`} ${n.label} for ${Math.round((n.endedAt.getTime() - n.startedAt.getTime()) / 1000)}s`);
  }
  lines.push('', 'Transcript');
  for (const u of m.utterances) lines.push(`[${clock(u.startMs)}] ${SPEAKER[u.speaker]}: ${plain(u.text ?? '(speaking; no text recorded)')}`);
  return `${lines.join('\n')}\n`;
}

/** Markdown: inline text escaped so a name or an answer cannot add links, images or HTML. */
export function mdEscape(text: string): string {
  return plain(text)
    .replace(/\r?\n/g, ' ')
    .replace(/[\\`*_{}[\]()#+\-.!|<>&~"']/g, (c) => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : `\\${c}`));
}

export function reportMarkdown(m: ReportModel): string {
  const i = m.interview;
  const out: string[] = [
    `# Interview ${mdEscape(i.id)}`,
    '',
    `- **Candidate:** ${mdEscape(i.candidateName)}${i.ref ? ` (ref ${mdEscape(i.ref)})` : ''}`,
    `- **Questions:** ${mdEscape(i.questionSet)} (${m.questions.length}), ${i.lang}`,
    `- **Completed:** ${iso(i.completedAt)}`,
    `- **Evaluation:** ${mdEscape(evaluationLine(m))}`,
    `- **Review:** ${m.review ? `${m.review.decision} by ${mdEscape(m.review.reviewer)} at ${iso(m.review.at)}` : 'waiting for a person'}`,
  ];
  if (m.video) out.push(`- **Video:** <${encodeURI(m.video.url).replace(/>/g, '%3E')}>${m.video.expiresAt ? ` (link valid until ${iso(m.video.expiresAt)})` : ''}`);
  const card = m.evaluation?.scorecard;
  if (card) {
    out.push('', `## Scorecard (advisory)`, '', `Scale ${card.scale.min}–${card.scale.max}. Model ${mdEscape(m.evaluation!.model ?? '?')}, prompt ${m.evaluation!.promptHash?.slice(0, 12)}, rubric ${m.evaluation!.rubricHash?.slice(0, 12)}.`);
    out.push('', '| # | Question | AI score | Reviewer |', '|---|---|---|---|');
    for (const q of card.questions) {
      const o = overrideOf(m, q.question);
      out.push(`| ${q.question} | ${mdEscape(q.text)} | ${q.score}${q.support === 'unsupported' ? ' (unsupported)' : ''} | ${o ?? ''} |`);
    }
    for (const q of card.questions) {
      out.push('', `### ${q.question}. ${mdEscape(q.text)}`, '', mdEscape(q.rationale));
      for (const e of q.evidence) out.push(`> [${clock(e.startMs)}] ${mdEscape(e.quote)}`, '>');
      if (q.support === 'unsupported') out.push('', '_Unsupported: no quote for this score was found in what the candidate said._');
    }
    out.push('', '### Summary', '', mdEscape(card.summary));
    if (card.strengths.length) out.push('', '**Strengths**', '', ...card.strengths.map((s) => `- ${mdEscape(s)}`));
    if (card.concerns.length) out.push('', '**Concerns**', '', ...card.concerns.map((s) => `- ${mdEscape(s)}`));
  }
  if (m.review?.note) out.push('', '## Reviewer\'s note', '', mdEscape(m.review.note));
  if (m.recordingCheck) out.push('', '## Recording', '', `${m.recordingCheck.agrees ? '' : '**'}${mdEscape(recordingCheckText(m.recordingCheck))}${m.recordingCheck.agrees ? '' : '**'}`);
  out.push('', '## Consent', '', ...(m.consents.length ? m.consents.map((c) => `- ${mdEscape(consentText(c))}`) : ['_None recorded._']));
  if (m.integrity.length) {
    out.push('', '## Integrity notes', '', '_For a person to read; never scored._', '');
    for (const n of m.integrity) out.push(`- ${n.startMs === null ? iso(n.startedAt) : `${clock(n.startMs)}–${clock(n.endMs!)}`}: ${n.label}`);
  }
  out.push('', '## Transcript', '');
  for (const u of m.utterances) out.push(`- **${clock(u.startMs)} ${SPEAKER[u.speaker]}:** ${mdEscape(u.text ?? '(speaking; no text recorded)')}`);
  return `${out.join('\n')}\n`;
}

/** The machine form: the same model, times as ISO strings. */
export function reportJson(m: ReportModel): unknown {
  return JSON.parse(JSON.stringify({ ...m, advisory: 'The AI evaluation is advisory; a person decides.' }));
}
