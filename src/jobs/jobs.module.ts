import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { PgBoss } from 'pg-boss';
import { JobQueue } from './job-queue.service.js';
import { JobWorkers } from './job-workers.js';
import { JOBS_OPTIONS, type JobsModuleAsyncOptions, type JobsModuleOptions, PG_BOSS } from './jobs.options.js';

async function startBoss(options: JobsModuleOptions): Promise<PgBoss> {
  const logger = new Logger('Jobs');
  const boss = new PgBoss({
    connectionString: options.connectionString,
    schema: options.schema ?? 'pgboss',
    application_name: 'jobs',
    max: options.poolSize ?? 10,
    // pg-boss installs and migrates its own schema (default "pgboss") on start. That schema is pg-boss's, not
    // part of our TypeORM migrations, and sits beside them in the same database so that a job can be inserted
    // in the transaction that writes the data it refers to.
    migrate: true,
    // Workers are woken by NOTIFY on job creation (queues are created with notify: true) instead of waiting a poll.
    useListenNotify: true,
  });
  // An EventEmitter 'error' without a listener would crash the process; these are pg-boss's background errors.
  boss.on('error', (err: Error) => logger.error(`pg-boss: ${err.message}`));
  boss.on('warning', (warning: { message: string }) => logger.warn(`pg-boss: ${warning.message}`));
  await boss.start();
  return boss;
}

/**
 * Background jobs on pg-boss, in the app's PostgreSQL. `JobQueue` enqueues (inside a TypeORM transaction when
 * given its EntityManager); `@JobHandler` methods run where `runWorkers` is true.
 */
@Module({})
export class JobsModule {
  static forRootAsync(async: JobsModuleAsyncOptions): DynamicModule {
    return {
      module: JobsModule,
      global: true,
      imports: [DiscoveryModule, ...(async.imports ?? [])],
      providers: [
        { provide: JOBS_OPTIONS, useFactory: async.useFactory, inject: async.inject ?? [] },
        { provide: PG_BOSS, useFactory: startBoss, inject: [JOBS_OPTIONS] },
        JobQueue,
        JobWorkers,
      ],
      exports: [JobQueue],
    };
  }
}
