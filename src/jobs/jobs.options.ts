import type { InjectionToken, ModuleMetadata, OptionalFactoryDependency } from '@nestjs/common';

export interface JobsModuleOptions {
  /** The same PostgreSQL database the app's TypeORM DataSource uses: transactional enqueue writes there. */
  connectionString: string;
  /** Whether this process runs handlers (worker role, or the API with WORKER_INLINE=true). */
  runWorkers: boolean;
  /** pg-boss's own schema. Default 'pgboss'. */
  schema?: string;
  /** How long shutdown waits for running handlers before pg-boss fails them for a retry. Default 20 s. */
  shutdownTimeoutMs?: number;
  /**
   * How often an idle worker looks for jobs that NOTIFY does not announce: retries and delayed jobs coming due,
   * or everything when LISTEN/NOTIFY is unavailable. Default 5 s; at least 0.5.
   */
  pollingIntervalSeconds?: number;
  /** Maximum connections of pg-boss's own pool. Default 10. */
  poolSize?: number;
}

export interface JobsModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: (InjectionToken | OptionalFactoryDependency)[];
  useFactory: (...args: any[]) => JobsModuleOptions | Promise<JobsModuleOptions>;
}

export const JOBS_OPTIONS = Symbol('JOBS_OPTIONS');
export const PG_BOSS = Symbol('PG_BOSS');

export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 20_000;
export const DEFAULT_POLLING_INTERVAL_SECONDS = 5;
