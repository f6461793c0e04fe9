import { defineConfig } from 'vitest/config';

// Unit tests (pure, next to the code) and integration tests (real Postgres: the embedded cluster,
// or TEST_DATABASE_URL). test/e2e has its own runner and is not part of this suite.
export default defineConfig({
  test: {
    pool: 'forks',
    // Integration tests spawn the CLI and Postgres backends: two files at a time fit two cores.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 90_000,
    teardownTimeout: 30_000,
    exclude: ['**/node_modules/**', 'dist/**', 'test/e2e/**'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['cli/**/*.test.ts', 'cli/**/*.test.tsx', 'agent/**/*.test.ts', 'web-lite/src/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'dist/**', 'test/e2e/**', '**/*.int.test.ts'],
          testTimeout: 10_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'int',
          // Generous: the CLI is spawned dozens of times and a busy 2-core machine slows each one.
          testTimeout: 60_000,
          include: ['cli/**/*.int.test.ts', 'test/int/**/*.test.ts'],
          exclude: ['**/node_modules/**', 'dist/**', 'test/e2e/**'],
          // Runs only when an integration test is selected: builds dist/ if stale and starts one
          // embedded cluster for the whole run (or checks TEST_DATABASE_URL).
          globalSetup: ['test/int/helpers/global-setup.ts'],
        },
      },
    ],
  },
});
