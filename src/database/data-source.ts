import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DataSource } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';

// Every module's entities (*.entity.js) and migrations (<module>/migrations/*.js) are found in the compiled tree, so
// no central list needs editing when a module adds one. They are imported here rather than through TypeORM's glob
// loader, whose eval'd import() has no referrer and breaks under test runners that load ES modules themselves.
const compiledSrc = fileURLToPath(new URL('..', import.meta.url));

type SchemaClass = abstract new (...args: never[]) => unknown;

async function importClasses(matches: (relativePath: string) => boolean): Promise<SchemaClass[]> {
  const files = (await readdir(compiledSrc, { recursive: true })).filter((file) => file.endsWith('.js') && matches(file)).sort();
  const modules = await Promise.all(files.map((file) => import(pathToFileURL(join(compiledSrc, file)).href)));
  return modules.flatMap((module: Record<string, unknown>) =>
    Object.values(module).filter((value): value is SchemaClass => typeof value === 'function'),
  );
}

let schema: Promise<{ entities: SchemaClass[]; migrations: SchemaClass[] }> | undefined;

function loadSchema() {
  return (schema ??= Promise.all([
    importClasses((file) => file.endsWith('.entity.js')),
    importClasses((file) => /(^|[\\/])migrations[\\/][^\\/]+\.js$/.test(file)),
  ]).then(([entities, migrations]) => ({
    entities,
    migrations: migrations.filter((candidate) => typeof candidate.prototype?.up === 'function'),
  })));
}

export interface DatabaseOptions {
  url: string;
  poolSize?: number;
  applicationName?: string;
}

/** The options of the one DataSource used by the app, the worker, the TypeORM CLI (ormconfig.ts) and the tests. */
export async function dataSourceOptions(options: DatabaseOptions): Promise<PostgresDataSourceOptions> {
  const { entities, migrations } = await loadSchema();
  return {
    type: 'postgres',
    url: options.url,
    entities,
    migrations,
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

export async function createDataSource(options: DatabaseOptions): Promise<DataSource> {
  return new DataSource(await dataSourceOptions(options));
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
