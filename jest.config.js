// Tests run on the compiled output (dist/), the same ESM JavaScript that `npm start` runs, with the Swagger CLI plugin
// applied: `npm test` builds first, then runs Jest in its native-ESM mode (--experimental-vm-modules).
export default {
  rootDir: process.env.BUILD_DIR ?? 'dist',
  testEnvironment: 'node',
  transform: {},
  testMatch: ['**/*.spec.js', '**/*.e2e-spec.js'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  setupFiles: ['<rootDir>/test/support/preload-esm.js'],
  maxWorkers: 2,
  testTimeout: 30000,
};
