// One jest configuration for every tier; the tier is in the file name
// (.unit.spec.ts, .int.spec.ts, .e2e.spec.ts). infra/src/cli/test.ts decides which run
// together: suites that stop shared infrastructure (*.fault.*) run one at a time.
const summaryFile = process.env.JEST_SUMMARY_FILE;

/** @type {import('jest').Config} */
export default {
  rootDir: import.meta.dirname,
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['source', 'node', 'node-addons'] },
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2024' },
        module: { type: 'es6' },
      },
    ],
  },
  testMatch: ['**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.local/'],
  modulePathIgnorePatterns: ['<rootDir>/.local/', '/dist/'],
  watchPathIgnorePatterns: ['<rootDir>/.local/'],
  testTimeout: 60_000,
  reporters: [
    ['default', {}],
    ...(summaryFile ? [['<rootDir>/infra/test-support/summary-reporter.js', { file: summaryFile }]] : []),
  ],
};
