import { createDataSource, migrationsUpToDate, runMigrations } from '../../src/database/data-source.js';
import { createTestDatabase } from '../support/test-database.js';

describe('migrations (e2e)', () => {
  it('apply on an empty database, are all reported applied, and revert cleanly to an empty schema', async () => {
    const db = await createTestDatabase('migrations');
    const dataSource = await (await createDataSource({ url: db.url, poolSize: 2 })).initialize();
    try {
      const applied = await runMigrations(dataSource);
      expect(applied.length).toBe(dataSource.migrations.length);
      expect(applied[0]).toBe('Foundation1764187200000');
      expect(await migrationsUpToDate(dataSource)).toBe(true);
      // A second run (another instance starting) applies nothing.
      expect(await runMigrations(dataSource)).toEqual([]);

      for (let step = 0; step < applied.length; step += 1) await dataSource.undoLastMigration({ transaction: 'each' });
      const tables = await dataSource.query(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations'`,
      );
      expect(tables).toEqual([]);
      expect(await migrationsUpToDate(dataSource)).toBe(false);

      // And forward again: down() left nothing behind that blocks up().
      expect(await runMigrations(dataSource)).toHaveLength(applied.length);
    } finally {
      await dataSource.destroy();
      await db.drop();
    }
  });
});
