import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    // The browser suite has its own config (vitest.browser.config.ts) and its own CI step.
    exclude: ['test/browser/**', 'node_modules/**'],
    // Each test file gets its own database; two workers match the two cores we design for.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
});
