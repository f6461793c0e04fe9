// Links that cannot start an interview: each shows its own plain-words screen.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitForScreen } from './helpers/page.js';
import { startStack, type Stack } from './helpers/stack.js';

describe('links that cannot start an interview', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ scenario: 'link-errors' });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it('an unknown link shows the not-found screen', async () => {
    const { context, page } = await stack.newPage();
    try {
      const unknownId = randomBytes(16).toString('base64url');
      const api = await fetch(`${stack.publicUrl}/api/interviews/${unknownId}`);
      expect(api.status).toBe(404);
      await page.goto(`${stack.publicUrl}/interview/${unknownId}`);
      await waitForScreen(page, 'error', { error: 'not_found' });
      expect(await page.locator('#join').isVisible()).toBe(false);
      await stack.screenshot(page, 'not-found');
    } finally {
      await context.close();
    }
  });

  it('a link that is not an id at all shows the not-found screen', async () => {
    const { context, page } = await stack.newPage();
    try {
      await page.goto(`${stack.publicUrl}/interview/not-a-real-link`);
      await waitForScreen(page, 'error', { error: 'not_found' });
      await stack.screenshot(page, 'not-an-id');
    } finally {
      await context.close();
    }
  });

  it('a revoked link shows its screen', async () => {
    const interview = await stack.createInterview('Grace Hopper');
    const revoked = await stack.cli(['revoke', interview.id, '--json']);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect((await stack.show(interview.id)).status).toBe('revoked');

    const { context, page } = await stack.newPage();
    try {
      await page.goto(interview.url);
      await waitForScreen(page, 'error', { error: 'revoked' });
      expect(await page.locator('#join').isVisible()).toBe(false);
      await stack.screenshot(page, 'revoked');
    } finally {
      await context.close();
    }
  });
});
