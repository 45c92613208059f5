/** `npm run sandbox`: every emulator, the SMTP catcher and the inspection page, with their URLs and the app's env. */
import { startSandbox } from './index.js';
import { DEFAULT_SANDBOX_PORT } from './launch.js';

const basePort = process.env.SANDBOX_PORT !== undefined ? Number(process.env.SANDBOX_PORT) : DEFAULT_SANDBOX_PORT;
const sandbox = await startSandbox({ basePort, host: process.env.SANDBOX_HOST ?? '127.0.0.1' });

console.log('Provider sandbox running:');
for (const [provider, url] of Object.entries(sandbox.urls)) console.log(`  ${provider.padEnd(10)} ${url}`);
if (sandbox.smtpUrl) console.log(`  ${'smtp'.padEnd(10)} ${sandbox.smtpUrl}`);
if (sandbox.pageUrl) console.log(`  ${'page'.padEnd(10)} ${sandbox.pageUrl}`);
console.log('\nEnvironment for the app:');
for (const [name, value] of Object.entries(sandbox.env())) console.log(`  ${name}=${value}`);
console.log('\nControl API: /__sandbox/... on each emulator (see sandbox/README.md). Ctrl+C stops.');

const shutdown = () => {
  sandbox.stop().then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
