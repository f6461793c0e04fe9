// Integrity notes from the real candidate page: while an interview runs, the tab being hidden and
// the window losing focus are reported to serve (with the page's resumeKey) and appear in the
// report at their times. Headless Chromium has no other tab to switch to, so the test sets the
// page's visibility and focus and fires the browser's own events; everything after that (the
// page's listener, its request, serve's route, the database, the report) is the real path.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { joinInterview } from './helpers/interview.js';
import { eventually } from './helpers/page.js';
import { startStack, type Stack } from './helpers/stack.js';

describe('integrity notes from the candidate page', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ scenario: 'integrity' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('reports a hidden tab and a lost focus with their times, and the report shows them', async () => {
    const { page, id } = await joinInterview(stack, { durationMs: 120_000, name: 'Ada Lovelace', questions: 'default' });
    const setVisibility = (state: 'hidden' | 'visible') =>
      page.evaluate((s) => {
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s });
        Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));
      }, state);
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    const hiddenAt = Date.now();
    await setVisibility('hidden');
    await page.waitForTimeout(2000);
    await setVisibility('visible');
    const shownAt = Date.now();
    await page.evaluate(() => window.dispatchEvent(new Event('blur')));
    await page.waitForTimeout(1500);
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));

    const notes = await eventually(
      async () => {
        const rows = await stack.sql<{ kind: string; started_at: Date; ended_at: Date }[]>`
          select kind, started_at, ended_at from interview_integrity_notes where interview_id = ${id} order by started_at`;
        return rows.some((r) => r.kind === 'tab_hidden') && rows.some((r) => r.kind === 'window_blur') ? rows : undefined;
      },
      { what: 'both notes stored', timeoutMs: 15_000 },
    );
    const hidden = notes.find((n) => n.kind === 'tab_hidden')!;
    expect(Math.abs(hidden.started_at.getTime() - hiddenAt)).toBeLessThan(1500);
    expect(Math.abs(hidden.ended_at.getTime() - shownAt)).toBeLessThan(1500);
    expect(hidden.ended_at.getTime() - hidden.started_at.getTime()).toBeGreaterThanOrEqual(1500);

    // Someone else cannot add notes: the resumeKey is the page's.
    const forged = await fetch(`${stack.publicUrl}/api/interviews/${id}/integrity`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ resumeKey: 'not-the-key', sentAt: Date.now(), notes: [{ kind: 'tab_hidden', startedAt: Date.now() - 5000, endedAt: Date.now() }] }),
    });
    expect(forged.status).toBe(403);

    const ended = await stack.cli(['end', id]);
    expect(ended.code, ended.stderr).toBe(0);
    const report = await stack.cli(['report', id, '--format', 'md']);
    expect(report.code, report.stderr).toBe(0);
    expect(report.stdout).toMatch(/## Integrity notes[\s\S]*_For a person to read; never scored\._[\s\S]*: interview tab hidden/);
    expect(report.stdout).toMatch(/: window not focused/);
    await stack.screenshot(page, 'interview-after-notes');
  });
});
