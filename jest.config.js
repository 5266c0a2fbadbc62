import { base } from './jest.preset.js';

/** One Jest configuration with a project per tier; `--selectProjects` picks one. */
export default {
  // The default output, and failures collected in test/artifacts/failed-tests.txt for the end of CI's log.
  reporters: ['default', '<rootDir>/test/support/failures-reporter.mjs'],
  projects: [
    { ...base, displayName: 'domain', testMatch: ['<rootDir>/libs/domain/src/**/*.spec.ts'] },
    { ...base, displayName: 'contracts', testMatch: ['<rootDir>/libs/contracts/src/**/*.spec.ts'] },
    { ...base, displayName: 'stripe-local', testMatch: ['<rootDir>/libs/stripe-local/src/**/*.spec.ts'] },
    { ...base, displayName: 'api', testMatch: ['<rootDir>/apps/api/src/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/api/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
      setupFilesAfterEnv: ['<rootDir>/test/support/e2e-timeout.ts'],
    },
    {
      ...base,
      displayName: 'web-unit',
      testEnvironment: 'jsdom',
      testMatch: ['<rootDir>/apps/web/src/**/*.spec.{ts,tsx}'],
      setupFilesAfterEnv: ['<rootDir>/apps/web/src/test/setup.ts'],
      moduleNameMapper: { ...base.moduleNameMapper, '\\.css$': '<rootDir>/apps/web/src/test/style-stub.ts' },
    },
    {
      ...base,
      displayName: 'web',
      testMatch: ['<rootDir>/test/web/**/*.web-spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.mjs',
      globalTeardown: '<rootDir>/test/support/global-teardown.mjs',
      // each browser spec sets its own timeout with jest.setTimeout (a project-level testTimeout is ignored)
    },
  ],
};
