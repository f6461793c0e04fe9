// RECORDER=browser, the candidate's preflight in a real Chromium: a browser whose MediaRecorder
// records none of the page's types (MediaRecorder.isTypeSupported answers false, set by an init
// script) is told so before the consent and cannot join, so no interview starts that could not be
// recorded; Chromium as it is (MP4 H.264 + Opus) joins as usual.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, videoPlaying, waitForScreen } from './helpers/page.js';
import { startStack, type Stack } from './helpers/stack.js';

describe('RECORDER=browser preflight: the browser must be able to record', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ scenario: 'preflight-recorder', env: { RECORDER: 'browser' } });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('a browser that records none of our types is told to use Chrome, Edge, Firefox or Safari, and cannot join', async () => {
    const interview = await stack.createInterview('Ada Lovelace');
    const { context, page } = await stack.newPage();
    try {
      await context.addInitScript(() => {
        MediaRecorder.isTypeSupported = () => false;
      });
      await page.goto(interview.url);
      await waitForScreen(page, 'preflight');
      const notice = page.locator('#pf-cannot-record');
      await notice.waitFor({ state: 'visible', timeout: 10_000 });
      expect(await notice.getAttribute('role')).toBe('alert');
      expect(await notice.innerText()).toMatch(/can’t record the interview[\s\S]*Chrome, Edge, Firefox or Safari/);
      expect(await page.locator('#check-browser').getAttribute('data-ok')).toBe('fail');
      expect(await page.locator('#check-browser .check-text').innerText()).toBe('Browser cannot record this interview');
      // The camera still starts (the candidate sees the rest works); the join stays shut.
      await eventually(() => videoPlaying(page), { what: 'the camera preview', timeoutMs: 20_000 });
      expect(await page.locator('#consent').isDisabled()).toBe(true);
      expect(await page.locator('#join').isDisabled()).toBe(true);
      expect(await page.locator('#join-hint').innerText()).toMatch(/Chrome, Edge, Firefox or Safari/);
      await stack.screenshot(page, 'cannot-record');
      // Switching to Japanese keeps the warning, in Japanese.
      await page.locator('#lang-toggle').click();
      await eventually(async () => /録画できません/.test(await notice.innerText()), { what: 'the Japanese notice' });
      await stack.screenshot(page, 'cannot-record-ja');
      expect((await stack.show(interview.id)).status, 'nothing was claimed').toBe('created');
    } finally {
      await context.close();
    }
  });

  it('Chromium as it is (MP4 with H.264) passes the check and may join once it consents', async () => {
    const interview = await stack.createInterview('Grace Hopper');
    const { context, page } = await stack.newPage();
    try {
      await page.goto(interview.url);
      await waitForScreen(page, 'preflight');
      await eventually(async () => (await page.locator('#check-browser').getAttribute('data-ok')) === 'ok', { what: 'the browser check' });
      expect(await page.locator('#pf-cannot-record').isHidden()).toBe(true);
      await eventually(() => videoPlaying(page), { what: 'the camera preview', timeoutMs: 20_000 });
      await page.locator('#consent').check();
      await eventually(async () => !(await page.locator('#join').isDisabled()), { what: 'the join button enabled' });
      await stack.screenshot(page, 'can-record');
    } finally {
      await context.close();
    }
  });
});
