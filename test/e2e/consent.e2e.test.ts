// The consent record from a real browser: the page sends the version of the disclosure it shows
// (in the language it shows it), serve stores it with the time and the browser, `show` prints it.
// A page whose disclosure serve does not know (an old release left open in a tab) is refused with
// a clear error and reloads itself to the current page, then joins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disclosureShown } from '../stack/disclosure.mjs';
import { eventually, waitForScreen } from './helpers/page.js';
import { startStack, type Stack } from './helpers/stack.js';

describe('consent records from the candidate page', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ scenario: 'consent' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('a stale page is refused, reloads itself, and the join after the reload stores the consent in the language shown', async () => {
    const interview = await stack.createInterview('山田 太郎', ['--lang', 'ja']);
    const { context, page } = await stack.newPage();
    try {
      // The first join claims an old disclosure version, as a page from an earlier release would.
      let rewritten = 0;
      await page.route(`**/api/interviews/${interview.id}/join`, async (route) => {
        if (rewritten > 0) return route.continue();
        rewritten++;
        const body = JSON.parse(route.request().postData() ?? '{}');
        return route.continue({ postData: JSON.stringify({ ...body, disclosure: { version: '0'.repeat(64), lang: body.disclosure?.lang } }) });
      });
      const refusals: number[] = [];
      page.on('response', (r) => {
        if (r.url().endsWith('/join') && r.status() === 409) refusals.push(r.status());
      });
      await page.goto(interview.url);
      await waitForScreen(page, 'preflight');
      const lang = await page.evaluate(() => document.documentElement.lang);
      expect(lang).toBe('ja');
      await page.locator('#consent').check();
      await eventually(() => page.locator('#join').isEnabled(), { what: '#join enabled' });
      const reloaded = page.waitForEvent('load');
      await page.locator('#join').click();
      await reloaded;
      expect(refusals).toEqual([409]);
      expect((await stack.show(interview.id)).status).toBe('created');
      await stack.screenshot(page, '01-reloaded');

      // The current page: consent again, join, and the record names what it showed.
      await waitForScreen(page, 'preflight');
      await page.locator('#consent').check();
      await eventually(() => page.locator('#join').isEnabled(), { what: '#join enabled after the reload' });
      const joined = page.waitForResponse((r) => r.url().endsWith('/join') && r.request().method() === 'POST');
      await page.locator('#join').click();
      expect((await joined).status()).toBe(200);
      await waitForScreen(page, 'interview');
      const shown = await stack.show(interview.id);
      expect(shown.consents).toEqual([{ at: expect.any(String), version: disclosureShown('ja').version, lang: 'ja', userAgent: expect.stringMatching(/Chrom/) }]);
      const human = await stack.cli(['show', interview.id]);
      expect(human.stdout).toMatch(new RegExp(`consent\\s+\\S+ \\S+\\s+disclosure ${disclosureShown('ja').version.slice(0, 12)} \\(ja\\)`));
      // The texts the versions stand for are kept, so a consent names its exact words.
      const [text] = await stack.sql<{ text: string }[]>`select text from disclosure_versions where version = ${disclosureShown('ja').version}`;
      expect(text?.text).toContain('AI');
    } finally {
      await context.close();
    }
  });

  it('the API refuses a join without a known disclosure version, before anything changes', async () => {
    const interview = await stack.createInterview('Ada Lovelace');
    const res = await fetch(`${stack.publicUrl}/api/interviews/${interview.id}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ consent: true }),
    });
    expect(res.status).toBe(409);
    expect(await res.json()).toMatchObject({ error: 'disclosure_outdated' });
    expect((await stack.show(interview.id)).status).toBe('created');
  });
});
