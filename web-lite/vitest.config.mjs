// Unit tests of the candidate page's pure modules (i18n tables, countdown, routing rules).
// Run: npx vitest run --config web-lite/vitest.config.mjs
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  test: { include: ['src/**/*.test.ts'], environment: 'node' },
});
