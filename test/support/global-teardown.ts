import { rm } from 'node:fs/promises';

export default async function globalTeardown(): Promise<void> {
  const cluster = (globalThis as Record<string, unknown>).__embeddedPostgres as
    | { stop(): Promise<void>; dataDir: string }
    | undefined;
  if (!cluster) return;
  await cluster.stop();
  await rm(cluster.dataDir, { recursive: true, force: true });
}
