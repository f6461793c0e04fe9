import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeNewInterview } from '../../../test/int/helpers/builders.js';
import { createTestDatabase, type TestDatabase } from '../../../test/int/helpers/db.js';
import { disclosureTexts, listConsents, recordDisclosures } from './consents.js';
import { createInterviewRepo } from './interviews.js';
import { createSessionRepo, type JoinRequest } from './sessions.js';

// The consent record of a join: stored with the claim, in its transaction, once.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
});
afterAll(async () => {
  await db?.drop();
});

const consent = { version: 'd'.repeat(64), lang: 'en', userAgent: 'Mozilla/5.0 (X11; Linux x86_64)' };

async function fresh(): Promise<string> {
  const row = makeNewInterview();
  await createInterviewRepo(db.sql).insertMany([row]);
  return row.id;
}

async function claim(requests: JoinRequest[], start: (id: string) => Promise<string> = async (id) => `AD_${id}`) {
  const outcomes: string[] = [];
  await createSessionRepo(db.sql).claimForJoins(requests, start, (i, c) => (outcomes[i] = c.outcome));
  return outcomes;
}

describe('consent records', () => {
  it('the winning join stores its consent (version, language, user agent, time); the losers store none', async () => {
    const id = await fresh();
    const before = new Date();
    const outcomes = await claim([
      { id, resumeKeyHash: 'h1', consent },
      { id, resumeKeyHash: 'h2', consent: { ...consent, userAgent: 'Other/1.0' } },
    ]);
    expect(outcomes).toEqual(['claimed', 'seen']);
    const list = await listConsents(db.sql, id);
    expect(list).toEqual([{ at: expect.any(Date), version: consent.version, lang: 'en', userAgent: consent.userAgent }]);
    expect(list[0]!.at.getTime()).toBeGreaterThanOrEqual(before.getTime() - 1000);
    // A later join (a resume) does not add another.
    expect(await claim([{ id, resumeKeyHash: 'h3', consent }])).toEqual(['seen']);
    expect(await listConsents(db.sql, id)).toHaveLength(1);
  });

  it('a failed dispatch stores no consent: the link is unused', async () => {
    const id = await fresh();
    expect(await claim([{ id, resumeKeyHash: 'h', consent }], async () => Promise.reject(new Error('livekit down')))).toEqual(['dispatch_failed']);
    expect(await listConsents(db.sql, id)).toEqual([]);
  });

  it('keeps each disclosure text once, by version', async () => {
    await recordDisclosures(db.sql, [{ version: consent.version, lang: 'en', text: 'first' }]);
    await recordDisclosures(db.sql, [{ version: consent.version, lang: 'en', text: 'changed?' }]);
    expect(await disclosureTexts(db.sql, [consent.version])).toEqual([{ version: consent.version, lang: 'en', text: 'first' }]);
  });
});
