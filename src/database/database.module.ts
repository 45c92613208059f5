import { DynamicModule, Global, Logger, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { dataSourceOptions, runMigrations } from './data-source.js';

/**
 * The TypeORM connection. Pending migrations are applied before the DataSource is handed to anyone, so no module
 * ever sees an old schema; several instances starting at once take turns (advisory lock).
 */
@Global()
@Module({})
export class DatabaseModule {
  static forUrl(url: string, options: { poolSize: number; applicationName: string }): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => dataSourceOptions({ url, ...options }),
          dataSourceFactory: async (resolved) => {
            const dataSource = await new DataSource(resolved!).initialize();
            const applied = await runMigrations(dataSource);
            if (applied.length > 0) new Logger('Database').log(`Applied migrations: ${applied.join(', ')}`);
            return dataSource;
          },
        }),
      ],
    };
  }
}
