import { startEmbeddedPostgres } from '../../src/database/embedded-postgres.js';

/**
 * With DATABASE_URL or TEST_DATABASE_URL the suites use that server (each creates and drops its own databases).
 * Without, one embedded PostgreSQL is started for the whole run in a throwaway data folder.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_DATABASE_URL || process.env.DATABASE_URL) return;
  const dataDir = `.data/test-postgres-${process.pid}`;
  const cluster = await startEmbeddedPostgres({ dataDir, port: 0 });
  process.env.TEST_DATABASE_URL = cluster.url;
  (globalThis as Record<string, unknown>).__embeddedPostgres = { stop: cluster.stop, dataDir };
}
