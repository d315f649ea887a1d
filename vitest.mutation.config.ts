import { defineConfig } from 'vitest/config';

// the tests StrykerJS runs against each mutant (stryker.config.mjs): unit tests that import src/ directly
export default defineConfig({
  test: {
    include: [
      'test/src/**/*.test.ts',
      'test/generated/**/*.test.ts',
      'test/schemas/**/*.test.ts',
      'test/regressions/**/*.test.ts',
    ],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    setupFiles: ['test/helpers/setup.ts'],
  },
});
