import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startLlmStandIn } from '../stack/llm-stand-in.mjs';
import { stackFrames } from './helpers/cli.js';
import { goodReply, requestDoc, seedCompletedInterview } from './helpers/completed-interview.js';
import { useCliWorkspace } from './helpers/workspace.js';
import { localPathsOf } from '../../cli/adapters/storage/storage.js';

// `evaluate` against the OpenAI-compatible LLM stand-in (test/stack/llm-stand-in.mjs): what our
// code does with good, invented, malformed, off-scale and late replies. Not a test of a model.

type Reply = Parameters<NonNullable<Parameters<typeof startLlmStandIn>[0]>['respond']>[0];
let script: (req: Reply, index: number) => unknown = (req) => goodReply(req.body);
let llm: Awaited<ReturnType<typeof startLlmStandIn>>;

const env: Record<string, string> = {};
const ws = useCliWorkspace('evaluation', env);
const { run } = ws;
const recordings = () => join(ws.scratch.dir, 'recordings');

beforeAll(async () => {
  llm = await startLlmStandIn({ respond: (req: Reply, i: number) => script(req, i) as never });
  Object.assign(env, { LLM_BASE_URL: llm.url, LLM_MODEL: 'stand-in-model', LLM_API_KEY: 'sk-test', EVALUATION_TIMEOUT: '2s' });
});
afterAll(async () => {
  await llm?.stop();
});
beforeEach(() => {
  llm.requests.length = 0;
  script = (req) => goodReply(req.body);
});

const seed = (opts: Parameters<typeof seedCompletedInterview>[2] = {}) => seedCompletedInterview(ws.db.sql, recordings(), opts);
const current = async (id: string) => (await ws.db.sql`select * from interview_evaluations where interview_id = ${id} and current`)[0]!;
const statusOf = async (id: string) => (await ws.db.sql`select status from interviews where id = ${id}`)[0]!.status;

describe('evaluate', () => {
  it('stores a scorecard whose quotes are the candidate\'s words, stamped, beside the recording, and says it is advisory', async () => {
    const s = await seed({ name: 'Grace Hopper', email: 'grace@example.com', ref: 'ATS-77' });
    const r = await run(['evaluate', s.id]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/advisory recommendation advance/);
    const row = await current(s.id);
    expect(row).toMatchObject({ status: 'succeeded', model: 'stand-in-model', attempts: 1 });
    expect(row.promptHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.rubricHash).toMatch(/^[0-9a-f]{64}$/);
    const card = row.result;
    expect(card.advisory).toBe(true);
    expect(card.scale).toEqual({ min: 1, max: 5 });
    expect(card.questions.map((q: any) => [q.question, q.score, q.support])).toEqual([[1, 4, 'cited'], [2, 4, 'cited']]);
    // Each quote is tied to the utterance it is in, with that utterance's start for seeking.
    expect(card.questions[0].evidence[0]).toEqual({ utterance: 1, quote: 'I designed the payments ledger. We moved it to Postgres', startMs: 5000 });
    // The evaluation file lands at the SPEC key, beside the transcript.
    expect(row.evaluationKey).toBe(s.evaluationKey);
    const file = JSON.parse(readFileSync(localPathsOf(recordings(), s.evaluationKey).path, 'utf8'));
    expect(file).toMatchObject({ interviewId: s.id, advisory: true, model: 'stand-in-model', promptHash: row.promptHash, recommendation: 'advance' });
    // The interview is unchanged, and its log says a person's review is awaited.
    expect(await statusOf(s.id)).toBe('completed');
    const events = await ws.db.sql`select actor, reason from interview_events where interview_id = ${s.id}`;
    expect(events.at(-1)).toMatchObject({ actor: 'evaluator', reason: expect.stringMatching(/advisory: advance.*review/) });

    // What the model was given: structured output, content only, no personal data.
    const req = llm.requests[0]!.body;
    expect(req.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'interview_evaluation', strict: true } });
    expect(req.response_format.json_schema.schema.properties.questions.items.properties.score).toMatchObject({ minimum: 1, maximum: 5 });
    const sent = llm.seenText();
    for (const secret of ['Grace', 'Hopper', 'grace@example.com', 'ATS-77']) expect(sent).not.toContain(secret);
    expect(sent).toMatch(/Never consider or mention voice, accent, fluency/);
    expect(requestDoc(req).questions[0]!.rubric).toMatch(/concrete design decision/);
  });

  it('masks the candidate\'s name out of what the model reads (the greeting says it), and checks quotes against that text', async () => {
    const s = await seed({
      name: 'Grace Hopper',
      utterances: [
        { speaker: 'agent', kind: 'greeting', questionIndex: null, text: 'Hello Grace. I am an AI interviewer, and this session is recorded.', startMs: 0, endMs: 900 },
        { speaker: 'agent', kind: 'question', questionIndex: 0, text: 'Tell me about a system you designed.', startMs: 1000, endMs: 4000 },
        { speaker: 'candidate', kind: 'answer', questionIndex: 0, text: 'I am Grace Hopper, and I designed the payments ledger on Postgres.', startMs: 5000, endMs: 12_000 },
      ],
    });
    const r = await run(['evaluate', s.id]);
    expect(r.code, r.stderr).toBe(0);
    const sent = llm.seenText();
    expect(sent).not.toMatch(/Grace|Hopper/);
    expect(requestDoc(llm.requests[0]!.body).transcript.map((u) => u.text)).toContain('I am [candidate] [candidate], and I designed the payments ledger on Postgres.');
    const card = (await current(s.id)).result;
    expect(card.questions[0]).toMatchObject({ support: 'cited', evidence: [{ utterance: 2, quote: 'I am [candidate] [candidate]' }] });
  });

  it('drops an invented quote and flags its score unsupported; a quote differing only in case and punctuation counts', async () => {
    const s = await seed();
    script = (req) =>
      goodReply(req.body, (r) => {
        r.questions[0].evidence = [
          { utterance: 1, quote: 'i designed the PAYMENTS ledger!! we moved it to postgres' },
          { utterance: 2, quote: 'I single-handedly rewrote the whole company in Rust' },
        ];
        // Question 2: an invented quote, and the interviewer's own words, which never count.
        r.questions[1].evidence = [
          { utterance: 4, quote: 'We never wrote a single test and it was fine' },
          { utterance: 3, quote: 'How do you test it?' },
        ];
      });
    const r = await run(['evaluate', s.id]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/3 quotes dropped: not in what the candidate said; 1 score left unsupported/);
    const q = (await current(s.id)).result.questions;
    expect(q[0].support).toBe('cited');
    expect(q[0].evidence.map((e: any) => e.quote)).toEqual(['i designed the PAYMENTS ledger!! we moved it to postgres']);
    expect(q[0].dropped.map((d: any) => d.quote)).toEqual(['I single-handedly rewrote the whole company in Rust']);
    expect(q[1]).toMatchObject({ support: 'unsupported', evidence: [] });
    expect(q[1].dropped).toHaveLength(2);
    // The report never shows a dropped quote as evidence.
    const text = (await run(['report', s.id])).stdout;
    expect(text).toMatch(/AI score 4 \(unsupported: no quote found in the transcript\)/);
    expect(text).toMatch(/\(dropped quote, not in what the candidate said: "We never wrote a single test and it was fine"\)/);
    expect(text).not.toMatch(/\] "We never wrote/);
  });

  it('reads a scorecard an endpoint wrapped in a reasoning block and a code fence (response_format ignored)', async () => {
    const s = await seed();
    script = (req) => `<think>Question 1 names a ledger; the candidate says "I designed it".</think>\n\`\`\`json\n${goodReply(req.body)}\n\`\`\``;
    const r = await run(['evaluate', s.id]);
    expect(r.code, r.stderr).toBe(0);
    const row = await current(s.id);
    expect(row).toMatchObject({ status: 'succeeded', attempts: 1 });
    expect(row.result.questions.map((q: any) => [q.question, q.score, q.support])).toEqual([[1, 4, 'cited'], [2, 4, 'cited']]);
    // The model's reasoning is nowhere in what is stored.
    expect(JSON.stringify(row.result)).not.toMatch(/think|the candidate says/);
  });

  it('retries malformed JSON with backoff, then fails with the reason; the interview stays completed', async () => {
    const s = await seed();
    script = () => ({ text: 'Sure! Here is my evaluation: {"questions": [' });
    const r = await run(['evaluate', s.id]);
    expect(r.code).toBe(6);
    expect(stackFrames(r.stderr)).toEqual([]);
    expect(r.stderr).toMatch(/attempt 1 failed \(the model did not return valid JSON\); retrying in/);
    expect(r.stderr).toMatch(/evaluation failed: the model did not return valid JSON \(3 attempts\)/);
    expect(llm.requests).toHaveLength(3);
    expect(llm.requests[1]!.at - llm.requests[0]!.at).toBeGreaterThanOrEqual(700);
    expect(await current(s.id)).toMatchObject({ status: 'failed', attempts: 3, error: 'the model did not return valid JSON (3 attempts)' });
    expect(await statusOf(s.id)).toBe('completed');
    // The failure is visible where a person looks, and a later run succeeds.
    expect((await run(['report', s.id])).stdout).toMatch(/evaluation {2}failed: the model did not return valid JSON/);
    expect((await run(['show', s.id])).stdout).toMatch(/status +completed\n[\s\S]*evaluation +failed: the model did not return valid JSON/);
    script = (req) => goodReply(req.body);
    const again = await run(['evaluate', s.id]);
    expect(again.code, again.stderr).toBe(0);
    expect(await current(s.id)).toMatchObject({ status: 'succeeded', runs: 2 });
  });

  it('recovers when a retry gets a good answer after a garbage body and an HTTP error', async () => {
    const s = await seed();
    script = (req, i) => (i === 0 ? { raw: '<html>proxy error</html>' } : i === 1 ? { status: 503 } : goodReply(req.body));
    const r = await run(['evaluate', s.id]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/attempt 1 failed \(unreadable answer from the model endpoint/);
    expect(r.stderr).toMatch(/attempt 2 failed \(the model endpoint answered HTTP 503\)/);
    expect(await current(s.id)).toMatchObject({ status: 'succeeded', attempts: 3, error: null });
  });

  it('rejects scores off the scale through the schema, naming the field', async () => {
    const s = await seed();
    script = (req) => goodReply(req.body, (r) => (r.questions[1].score = 9));
    const r = await run(['evaluate', s.id, '--json']);
    expect(r.code).toBe(6);
    expect((await current(s.id)).error).toMatch(/does not fit the schema: questions\.1\.score: .*5.*\(3 attempts\)/);
  });

  it('gives up on a model that does not answer within EVALUATION_TIMEOUT', async () => {
    const s = await seed();
    script = () => ({ hang: true });
    const r = await run(['evaluate', s.id], { env: { EVALUATION_TIMEOUT: '1s' } });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/no answer from the model within 1s \(EVALUATION_TIMEOUT\) \(3 attempts\)/);
    expect(llm.requests).toHaveLength(3);
    expect(llm.requests.every((q) => q.aborted)).toBe(true);
    expect(await statusOf(s.id)).toBe('completed');
  });

  it('runs once; --force reruns and keeps the earlier evaluation as history', async () => {
    const s = await seed();
    expect((await run(['evaluate', s.id])).code).toBe(0);
    const second = await run(['evaluate', s.id]);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/was evaluated already .*--force reruns it/);
    expect(llm.requests).toHaveLength(1);
    script = (req) => goodReply(req.body, (r) => (r.recommendation = 'hold'));
    const forced = await run(['evaluate', s.id, '--force', '--json']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(JSON.parse(forced.stdout)).toMatchObject({ outcome: 'evaluated', recommendation: 'hold', advisory: true });
    const rows = await ws.db.sql`select current, status, result->>'recommendation' as rec from interview_evaluations where interview_id = ${s.id} order by id`;
    expect(rows.map((x) => [x.current, x.rec])).toEqual([[false, 'advance'], [true, 'hold']]);
    expect(JSON.parse(readFileSync(localPathsOf(recordings(), s.evaluationKey).path, 'utf8')).recommendation).toBe('hold');
  });

  it('--pending evaluates what has none and skips interviews without candidate text', async () => {
    const a = await seed();
    const audioOnly = await seed({ utterances: [{ speaker: 'candidate', kind: 'answer', questionIndex: 0, text: null, startMs: 0, endMs: 5000 }] });
    const r = await run(['evaluate', '--pending', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const ids = r.stdout.trim().split('\n').map((l) => JSON.parse(l).interviewId);
    expect(ids).toContain(a.id);
    expect(ids).not.toContain(audioOnly.id);
    const single = await run(['evaluate', audioOnly.id]);
    expect(single.code).toBe(5);
    expect(single.stderr).toMatch(/no candidate text to evaluate/);
  });

  it('says which settings are missing without an LLM (exit 3)', async () => {
    const s = await seed();
    const r = await run(['evaluate', s.id], { env: { LLM_BASE_URL: '', LLM_MODEL: '' } });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/LLM_BASE_URL and LLM_MODEL: needed to evaluate/);
  });
});

describe('review', () => {
  it('records a decision and overrides beside the AI scores, with who and when, and an event', async () => {
    const s = await seed();
    expect((await run(['evaluate', s.id])).code).toBe(0);
    expect((await run(['list', '--needs-review', '--json'])).stdout).toContain(s.id);
    const r = await run(['review', s.id, '--decision', 'hold', '--note', 'check references', '--score', '2=2', '--by', 'Grace H']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/recorded hold on .* by Grace H .*the AI's advisory recommendation was advance/);
    const [rev] = await ws.db.sql`select * from interview_reviews where interview_id = ${s.id}`;
    expect(rev).toMatchObject({ decision: 'hold', note: 'check references', overrides: { '2': 2 }, reviewer: 'Grace H' });
    expect((await current(s.id)).result.questions[1].score).toBe(4);
    const events = await ws.db.sql`select actor, reason from interview_events where interview_id = ${s.id} order by id`;
    expect(events.at(-1)).toEqual({ actor: 'reviewer:Grace H', reason: 'reviewed: hold (1 score overridden)' });
    expect((await run(['list', '--needs-review', '--json'])).stdout).not.toContain(s.id);
    const text = (await run(['report', s.id])).stdout;
    expect(text).toMatch(/AI score 4; reviewer's score 2/);
    expect(text).toMatch(/review {6}hold by Grace H/);
  });

  it('refuses an unknown id (4), an interview not completed (5) and a question that does not exist (2)', async () => {
    const unknown = await run(['review', 'NoSuchInterviewAtAll00', '--decision', 'advance']);
    expect(unknown.code).toBe(4);
    const live = await seed({ status: 'recording' });
    const notDone = await run(['review', live.id, '--decision', 'advance']);
    expect(notDone.code).toBe(5);
    expect(notDone.stderr).toMatch(/is recording: only a completed interview gets a decision/);
    const s = await seed();
    const bad = await run(['review', s.id, '--decision', 'advance', '--score', '7=4']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--score 7=4: there is no question 7; interview .* has 2 questions \(1-2\)/);
    const off = await run(['review', s.id, '--decision', 'advance', '--score', '1=6']);
    expect(off.code).toBe(2);
    expect(off.stderr).toMatch(/6 is off the scale 1-5/);
    for (const res of [unknown, notDone, bad, off]) expect(stackFrames(res.stderr)).toEqual([]);
    expect((await ws.db.sql`select count(*)::int as n from interview_reviews where interview_id = ${s.id}`)[0]!.n).toBe(0);
  });
});

describe('outbound webhooks', () => {
  it('queues interview.evaluated and interview.reviewed with the change they report, advisory and without notes', async () => {
    const added = await run(['hooks', 'add', 'http://127.0.0.1:9/hooks', '--allow-private', '--events', 'interview.evaluated,interview.reviewed']);
    expect(added.code, added.stderr).toBe(0);
    const s = await seed({ ref: 'ATS-HOOK-1' });
    expect((await run(['evaluate', s.id])).code).toBe(0);
    expect((await run(['review', s.id, '--decision', 'decline', '--note', 'private note', '--score', '1=2', '--by', 'Ana'])).code).toBe(0);
    const events = await ws.db.sql`select type, data from hook_events where interview_id = ${s.id} order by created_at, id`;
    expect(events.map((e) => e.type)).toEqual(['interview.evaluated', 'interview.reviewed']);
    expect(events[0]!.data).toMatchObject({ interview_id: s.id, ref: 'ATS-HOOK-1', model: 'stand-in-model', recommendation: 'advance', recommendation_advisory: true, overall: 4 });
    expect(events[0]!.data.scores[0]).toMatchObject({ question: 1, competency: 'system design', score: 4, scale: [1, 5] });
    expect(events[1]!.data).toMatchObject({ decision: 'decline', reviewer: 'Ana', overridden_questions: [1] });
    expect(JSON.stringify(events)).not.toContain('private note');
    expect(JSON.stringify(events)).not.toContain('payments ledger');
  });
});

describe('report and scores', () => {
  it('writes a self-contained html report with everything escaped, also without an evaluation', async () => {
    const s = await seed({ name: '<script>alert(1)</script>', ref: '"><img src=x onerror=alert(2)>' });
    const out = join(ws.scratch.dir, 'report.html');
    const r = await run(['report', s.id, '--format', 'html', '-o', out]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img src=x');
    expect(html).toMatch(/<meta http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;; script-src &#39;sha256-[A-Za-z0-9+/=]+&#39;/);
    expect(html.match(/<script>/g)).toHaveLength(1);
    expect(html).toMatch(/Not evaluated/i);
    expect(html).toContain('I designed the payments ledger.');
    const missing = await run(['report', s.id, '--format', 'html', '-o', join(ws.scratch.dir, 'no-such-folder', 'r.html')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`the folder ${join(ws.scratch.dir, 'no-such-folder')} does not exist`);
    expect(existsSync(join(ws.scratch.dir, 'no-such-folder'))).toBe(false);
  });

  it('exports scores as CSV with formula cells neutralised', async () => {
    const s = await seed({ name: '=HYPERLINK("http://evil.example","click")', ref: '+SUM(A1)', questionSet: 'audit-set' });
    expect((await run(['evaluate', s.id])).code).toBe(0);
    expect((await run(['review', s.id, '--decision', 'advance', '--by', '@admin'])).code).toBe(0);
    const r = await run(['scores', '--set', 'audit-set']);
    expect(r.code, r.stderr).toBe(0);
    const { parse } = await import('csv-parse/sync');
    const rows = parse(r.stdout, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      interview_id: s.id,
      candidate: `'=HYPERLINK("http://evil.example","click")`,
      ref: "'+SUM(A1)",
      decided_by: "'@admin",
      recommendation_advisory: 'advance',
      decision: 'advance',
      q1_score: '4',
      q1_supported: 'true',
      model: 'stand-in-model',
    });
    for (const row of rows) for (const v of Object.values(row)) expect(v).not.toMatch(/^[=+\-@\t\r]/);
    const json = await run(['scores', '--set', 'audit-set', '--format', 'json']);
    expect(JSON.parse(json.stdout)[0]).toMatchObject({ interview_id: s.id, q2_score: 4, recommendation_advisory: 'advance' });
  });
});
