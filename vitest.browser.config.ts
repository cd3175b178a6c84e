import { defineConfig } from 'vitest/config';

/**
 * The admin app end to end: a real Roster server on a temporary database, the built app at
 * /admin, driven in Debian's Chromium by playwright-core (npm run test:browser).
 */
export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    globalSetup: ['test/browser/support/build-admin.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
