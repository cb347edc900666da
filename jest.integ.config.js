/**
 * Integration tests against the local AWS emulator (moto server, see emulator/ and scripts/emulator.sh).
 * Run: npx jest -c jest.integ.config.js
 * Global setup installs the pinned emulator venv, starts it and exports AWS_ENDPOINT_URL, and starts the local
 * Kubernetes API server (scripts/kube.sh; helpers in kube/local-cluster.ts); teardown stops both.
 */
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test/integ'],
  testMatch: ['**/*.integ.ts'],
  transform: {
    '^.+\\.(t|j|mj)s$': [
      '@swc/jest',
      { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(@cloud-copilot|oidc-provider|jose|openid-client|oauth4webapi)/)'],
  globalSetup: '<rootDir>/test/integ/global-setup.ts',
  globalTeardown: '<rootDir>/test/integ/global-teardown.ts',
  // The budget of a test or hook that makes a few dozen emulator calls. Heavier ones (a synthesis, a harness, hundreds
  // of calls) declare a budget computed from their work (test/integ/budget.ts), so a loaded machine does not fail them.
  testTimeout: 60000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
};
