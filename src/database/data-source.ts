import { fileURLToPath } from 'node:url';
import { DataSource } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';

// Globs over the compiled tree, so every module's entities and migrations (src/<module>/migrations/) are found
// without a central list that each module would have to edit.
const compiledSrc = fileURLToPath(new URL('..', import.meta.url));

export interface DatabaseOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

/** The options of the one DataSource used by the app, the worker, the TypeORM CLI (ormconfig.ts) and the tests. */
export function dataSourceOptions(options: DatabaseOptions): PostgresDataSourceOptions {
  return {
    type: 'postgres',
    url: options.url,
    entities: [`${compiledSrc}/**/*.entity.js`],
    migrations: [`${compiledSrc}/**/migrations/*.js`],
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    // Schema changes only through checked-in migrations; uuid defaults come from gen_random_uuid() (core since 13).
    synchronize: false,
    migrationsRun: false,
    installExtensions: false,
    applicationName: options.applicationName ?? 'teletherapy-integrations',
    extra: { max: options.poolSize ?? 10 },
  };
}

export function createDataSource(options: DatabaseOptions): DataSource {
  return new DataSource(dataSourceOptions(options));
}

// Two instances starting together (api and worker) must not both apply the same migration.
const MIGRATION_LOCK = 727_001;

/** Applies pending migrations under a cluster-wide advisory lock; returns the names applied. */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}

/** True when every migration known to the code has been applied (readiness). */
export async function migrationsUpToDate(dataSource: DataSource): Promise<boolean> {
  return !(await dataSource.showMigrations());
}
