import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDispatchRepo } from '../../cli/adapters/db/dispatches.js';
import { createInterviewRepo } from '../../cli/adapters/db/interviews.js';
import { makeNewInterview } from './helpers/builders.js';
import { createTestDatabase, type TestDatabase } from './helpers/db.js';

// reconcile's re-dispatch on the interview row: the agent job reads the row's dispatch id to tell
// whether it is the interview's interviewer, so what the row says while LiveKit is asked matters.

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase({ migrate: true });
});

afterAll(async () => {
  await db?.drop();
});

async function joined(dispatchId: string): Promise<string> {
  const row = makeNewInterview();
  const interviews = createInterviewRepo(db.sql);
  await interviews.insertMany([row]);
  await interviews.applyEvent(row.id, 'join', { actor: 'candidate', patch: { dispatch_id: dispatchId } });
  return row.id;
}

describe('re-dispatching an interviewer', () => {
  it('stores the new dispatch id with an event saying why; meanwhile the row names no dispatch', async () => {
    const id = await joined('AD_join');
    const repo = createDispatchRepo(db.sql);
    expect(await repo.lastRedispatchAt(id)).toBeNull();
    let during: string | null | undefined;
    const ok = await repo.redispatch(id, 'AD_join', async () => {
      // The new job may read the row before the new id is stored: it must not find the old one.
      during = (await createInterviewRepo(db.sql).get(id)).dispatchId;
      return 'AD_again';
    }, 'no interviewer joined the room 31 s after its dispatch');
    expect(ok).toBe(true);
    expect(during).toBeNull();
    const interviews = createInterviewRepo(db.sql);
    expect((await interviews.get(id)).dispatchId).toBe('AD_again');
    const events = await interviews.events(id);
    expect(events.at(-1)).toMatchObject({ from: 'used', to: 'used', actor: 'reconcile', reason: 'agent dispatched again: no interviewer joined the room 31 s after its dispatch' });
    expect(await repo.lastRedispatchAt(id)).toBeInstanceOf(Date);
  });

  it('dispatches nothing when another sweep was first (the row names another dispatch)', async () => {
    const id = await joined('AD_other');
    let asked = false;
    const ok = await createDispatchRepo(db.sql).redispatch(id, 'AD_join', async () => {
      asked = true;
      return 'AD_x';
    }, 'why');
    expect(ok).toBe(false);
    expect(asked).toBe(false);
    expect((await createInterviewRepo(db.sql).get(id)).dispatchId).toBe('AD_other');
  });

  it('gives the row its old dispatch back when LiveKit fails', async () => {
    const id = await joined('AD_join');
    await expect(createDispatchRepo(db.sql).redispatch(id, 'AD_join', async () => Promise.reject(new Error('LiveKit down')), 'why')).rejects.toThrow('LiveKit down');
    expect((await createInterviewRepo(db.sql).get(id)).dispatchId).toBe('AD_join');
    expect(await createDispatchRepo(db.sql).lastRedispatchAt(id)).toBeNull();
  });
});
