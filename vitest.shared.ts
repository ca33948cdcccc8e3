import { defineConfig } from 'vitest/config';

/**
 * The test settings every package shares: generous hang guards (children start
 * in tens of milliseconds, but CI machines are small), and a JSON report beside
 * the console one so that `.ci/run` can print one total for the whole repo.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: '.vitest-report.json' }]],
  },
});
