import { defineConfig } from 'vitest/config';

// The live-stack browser tests. Run them with `npm run test:e2e` (test/e2e/run.mjs), which puts the
// whole stack in a private network namespace first; the tests refuse to run outside it.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.test.ts'],
    pool: 'forks',
    // One file at a time: every file starts its own livekit-server on the fixed ports, Postgres,
    // serve and a browser, and the machine has two cores.
    fileParallelism: false,
    maxWorkers: 1,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    // A rerun of a flaky media test hides real bugs; fail loudly instead.
    retry: 0,
  },
});
