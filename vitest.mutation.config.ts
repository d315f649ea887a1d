import { defineConfig } from 'vitest/config';

// the tests StrykerJS runs against each mutant (stryker.config.mjs): unit tests that import src/ directly. On a small
// machine, narrow them to the folder under test, e.g. MUTATION_TESTS='test/src/replay/**/*.test.ts'; with per-test
// coverage a mutant only runs the tests that reach it, but an emit-path mutant reaches almost every test
const narrowed = process.env.MUTATION_TESTS?.split(',').filter((g) => g !== '');

export default defineConfig({
  test: {
    include:
      narrowed !== undefined && narrowed.length > 0
        ? narrowed
        : [
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
