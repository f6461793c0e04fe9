// What a candidate sees, read through the page's test hooks: `data-screen` on each screen (the
// inactive ones are `hidden`) and `data-error` on the error screen.
import type { Page } from 'playwright-core';
import type { RoomServiceClient } from 'livekit-server-sdk';

export type ScreenName = 'preflight' | 'interview' | 'done' | 'error';

const visible = (name: ScreenName, error?: string) =>
  `[data-screen="${name}"]${error === undefined ? '' : `[data-error="${error}"]`}:not([hidden])`;

/** Waits until `name` is the screen on show (and, for the error screen, shows `error`). */
export async function waitForScreen(page: Page, name: ScreenName, { error, timeoutMs = 30_000 }: { error?: string; timeoutMs?: number } = {}): Promise<void> {
  try {
    await page.locator(visible(name, error)).waitFor({ state: 'visible', timeout: timeoutMs });
  } catch (err) {
    throw new Error(`the page did not show the ${name}${error ? ` (${error})` : ''} screen within ${timeoutMs} ms; it shows ${await describeScreen(page)}`, { cause: err });
  }
}

/** The screen on show, e.g. `preflight` or `error:already_used`, for messages. */
export async function describeScreen(page: Page): Promise<string> {
  return page
    .evaluate(() => {
      const shown = [...document.querySelectorAll<HTMLElement>('[data-screen]')].filter((s) => !s.hidden);
      return shown.map((s) => (s.dataset.error ? `${s.dataset.screen}:${s.dataset.error}` : s.dataset.screen)).join(', ') || '(no screen)';
    })
    .catch((err: Error) => `(unreadable: ${err.message})`);
}

/** The first of `names` to be shown. */
export async function nextScreen(page: Page, names: ScreenName[], timeoutMs = 30_000): Promise<string> {
  const selector = names.map((n) => visible(n)).join(', ');
  await page.locator(selector).first().waitFor({ state: 'visible', timeout: timeoutMs });
  return describeScreen(page);
}

/** True once the camera preview (or self view) plays real frames. */
export async function videoPlaying(page: Page, selector = '#self-view'): Promise<boolean> {
  return page.evaluate((sel) => {
    const videos = [...document.querySelectorAll<HTMLVideoElement>(`${sel}, ${sel} video`)].filter((v) => v instanceof HTMLVideoElement);
    return videos.some((v) => v.videoWidth > 0 && v.readyState >= 2);
  }, selector);
}

/** The participants LiveKit itself reports in a room (none when the room does not exist). */
export async function participantsOf(rooms: RoomServiceClient, roomName: string) {
  try {
    return await rooms.listParticipants(roomName);
  } catch (err) {
    if (/not found|does not exist/i.test((err as Error).message)) return [];
    throw err;
  }
}

/** Polls `probe` until it returns a truthy value, which it resolves to. */
export async function eventually<T>(probe: () => Promise<T | undefined | null | false>, { timeoutMs = 20_000, intervalMs = 250, what = 'condition' } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Presses End and waits for its confirmation dialog; `confirm` (default) presses it too. The dialog
 * gets 15 s: on a loaded 2-core machine Chromium's renderer can go unscheduled for seconds.
 */
export async function pressEnd(page: Page, { confirm = true }: { confirm?: boolean } = {}): Promise<void> {
  await page.locator('#end').click();
  await page.locator('#end-confirm').waitFor({ state: 'visible', timeout: 15_000 });
  if (confirm) await page.locator('#end-confirm').click();
}
