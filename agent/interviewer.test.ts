import { describe, expect, it } from 'vitest';
import { runInterview, type InterviewerDeps, type Presence } from './interviewer.js';
import { linesFor } from './lines.js';
import type { Answer } from './speech/voice-in.js';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
  });

/** A candidate who is always there, unless told otherwise. */
class FakePresence implements Presence {
  present = true;
  private drop = new AbortController();
  private back: (() => void) | undefined;
  here() {
    return this.present;
  }
  dropSignal() {
    if (this.drop.signal.aborted && this.present) this.drop = new AbortController();
    return this.drop.signal;
  }
  leave() {
    this.present = false;
    this.drop.abort();
  }
  rejoin() {
    this.present = true;
    this.back?.();
  }
  waitForReturn(ms: number, signal: AbortSignal) {
    if (this.present) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      this.back = () => (clearTimeout(t), resolve(true));
      signal.addEventListener('abort', () => (clearTimeout(t), resolve(false)), { once: true });
    });
  }
}

function harness(over: { answers?: Partial<Answer>[]; durationMs?: number; answerMs?: number; plannedMs?: number } = {}) {
  const said: string[] = [];
  const presence = new FakePresence();
  const external = new AbortController();
  const answers = [...(over.answers ?? [])];
  const durationMs = over.durationMs ?? 5000;
  const deps: InterviewerDeps = {
    lines: linesFor('en', 'Ada Lovelace'),
    questions: [
      { text: 'Q1', timeLimitMs: 10_000 },
      { text: 'Q2', timeLimitMs: 10_000 },
    ],
    deadline: performance.now() + durationMs,
    durationMs: over.plannedMs ?? durationMs,
    closingMs: 50,
    minQuestionWindowMs: 100,
    graceMs: 300,
    external: external.signal,
    presence,
    speak: async (kind, text, _qi, signal) => {
      if (signal.aborted) return 'aborted';
      said.push(kind === 'question' ? text : kind);
      await sleep(10, signal);
      return signal.aborted ? 'aborted' : 'done';
    },
    listen: async (_kind, _qi, limitMs, signal) => {
      const a = answers.shift() ?? {};
      await sleep(Math.min(limitMs, over.answerMs ?? 20), signal);
      if (signal.aborted) return { outcome: 'aborted', startMs: 0, endMs: 0, speechMs: 0, text: null };
      return { outcome: 'answered', startMs: 0, endMs: 5000, speechMs: 5000, text: null, ...a };
    },
  };
  return { deps, said, presence, external };
}

describe('runInterview', () => {
  it('greets, asks every question in order, and closes when they are done', async () => {
    const h = harness();
    expect(await runInterview(h.deps)).toBe('questions_done');
    expect(h.said).toEqual(['greeting', 'Q1', 'Q2', 'closing']);
  });

  it('asks one follow-up after a very short answer, and only one', async () => {
    const h = harness({ answers: [{ speechMs: 800 }, { speechMs: 500 }, { speechMs: 4000 }] });
    await runInterview(h.deps);
    expect(h.said).toEqual(['greeting', 'Q1', 'follow_up', 'Q2', 'closing']);
  });

  it('stops at once, without closing words, when the interview is ended elsewhere', async () => {
    const h = harness({ answerMs: 5000 });
    setTimeout(() => h.external.abort(), 100);
    const started = performance.now();
    expect(await runInterview(h.deps)).toBe('ended_elsewhere');
    expect(performance.now() - started).toBeLessThan(500);
    expect(h.said).not.toContain('closing');
  });

  it('says once that about a minute is left, between turns', async () => {
    // A 20-minute interview whose last minute has come: the warning goes before the next question.
    const h = harness({ durationMs: 3000, plannedMs: 20 * 60_000 });
    await runInterview(h.deps);
    expect(h.said.filter((s) => s === 'time_warning')).toHaveLength(1);
    expect(h.said.slice(0, 3)).toEqual(['greeting', 'time_warning', 'Q1']);
  });

  it('does not warn in an interview too short for it', async () => {
    const h = harness({ durationMs: 3000, plannedMs: 90_000 });
    await runInterview(h.deps);
    expect(h.said).not.toContain('time_warning');
  });

  it('closes at the duration when an answer runs long', async () => {
    const h = harness({ durationMs: 1500, answerMs: 60_000 });
    const started = performance.now();
    expect(await runInterview(h.deps)).toBe('duration');
    expect(performance.now() - started).toBeGreaterThanOrEqual(1450);
    expect(h.said.at(-1)).toBe('closing');
  });

  it('waits for a candidate who dropped and asks the question again', async () => {
    const h = harness({ answerMs: 200 });
    setTimeout(() => h.presence.leave(), 50);
    setTimeout(() => h.presence.rejoin(), 150);
    expect(await runInterview(h.deps)).toBe('questions_done');
    expect(h.said).toEqual(['greeting', 'Q1', 'welcome_back', 'Q1', 'Q2', 'closing']);
  });

  it('gives up on a candidate gone past the grace period', async () => {
    const h = harness({ answerMs: 200 });
    setTimeout(() => h.presence.leave(), 50);
    expect(await runInterview(h.deps)).toBe('candidate_left');
    expect(h.said).not.toContain('closing');
  });
});
