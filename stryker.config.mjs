// mutation testing (`npm run mutation`, outside `npm test`: it is slow). One folder at a time fits a 2-core machine:
//   npm run mutation -- --mutate 'src/runtime/**/*.ts'
// then `node scripts/mutation-scores.mjs` prints the score per folder from reports/mutation/mutation.json.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  // the unit tests only: CLI tests spawn dist/ (never mutated) and codegen tests do not exercise these folders
  vitest: { configFile: 'vitest.mutation.config.ts', related: true },
  mutate: [
    'src/runtime/**/*.ts',
    'src/sinks/**/*.ts',
    'src/validation/**/*.ts',
    'src/replay/**/*.ts',
    'src/stores/**/*.ts',
    'src/conformance/**/*.ts',
    '!src/**/index.ts',
  ],
  ignorePatterns: ['dist', 'reports', 'bench', '.stryker-tmp'],
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 15_000,
  timeoutFactor: 3,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  clearTextReporter: { reportScoreTable: true, reportTests: false, reportMutants: false, allowEmojis: false },
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 85, low: 70, break: null },
  // the sandbox needs no tsconfig rewrite (vitest transpiles; no project references), and Stryker's rewrite calls a
  // TypeScript API that TypeScript 7 no longer has: point it at a file that does not exist so it is skipped
  tsconfigFile: 'tsconfig.stryker-skip.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
