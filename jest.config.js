// Jest runs the TypeScript sources directly as ES modules (ts-jest, ESM mode);
// `npm test` sets NODE_OPTIONS=--experimental-vm-modules for that.
/** @type {import('jest').Config} */
export default {
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  // Integration suites (root, runc, registry) live in test/integration and opt out
  // by themselves when their requirements are missing outside CI.
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
};
