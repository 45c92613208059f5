export default { rootDir: 'dist', testEnvironment: 'node', transform: {}, testMatch: ['**/*.spec.js'] };
