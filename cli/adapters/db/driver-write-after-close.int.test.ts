import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/int/helpers/db.js';

// porsager/postgres#1208, fixed in the driver by patches/postgres+3.4.9.patch: a reserved
// connection whose backend died threw "Cannot read properties of null (reading 'write')" outside
// any promise (an uncaught exception, which fails this run) or left the query hanging. With the
// guard every later query on it is rejected with CONNECTION_CLOSED.

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('the postgres.js driver after its backend died', () => {
  it('rejects queries on a reserved connection whose backend was terminated, and neither throws nor hangs', async () => {
    const pool = db.connect(2);
    const reserved = await pool.reserve();
    const [{ pid }] = await reserved<{ pid: number }[]>`select pg_backend_pid() as pid`;
    await db.sql`select pg_terminate_backend(${pid})`;
    await new Promise((r) => setTimeout(r, 300));
    const outcomes: string[] = [];
    for (let i = 0; i < 3; i++) {
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<string>((r) => (timer = setTimeout(() => r('hung'), 10_000)));
      const q = reserved`select 1`.then(
        () => 'answered',
        (err: { code?: string }) => `rejected ${err.code}`,
      );
      outcomes.push(await Promise.race([q, hung]));
      clearTimeout(timer);
    }
    expect(outcomes).toEqual(['rejected CONNECTION_CLOSED', 'rejected CONNECTION_CLOSED', 'rejected CONNECTION_CLOSED']);
    await pool.end({ timeout: 1 });
  });
});
