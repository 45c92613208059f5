import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { Job, JobResult, PgBoss } from 'pg-boss';
import { PermanentJobError, RetryAfterError } from './job-errors.js';
import { JOB_HANDLER, type JobHandlerOptions } from './job-handler.decorator.js';
import { JobQueue } from './job-queue.service.js';
import { DEFAULT_POLLING_INTERVAL_SECONDS, DEFAULT_SHUTDOWN_TIMEOUT_MS, JOBS_OPTIONS, type JobsModuleOptions, PG_BOSS } from './jobs.options.js';
import type { QueuedJob } from './queued-job.js';

interface DiscoveredHandler {
  options: JobHandlerOptions;
  run: (job: QueuedJob<unknown>) => Promise<void>;
  owner: string;
}

/** What a failure leaves on the job row: never the data, never a stack with request details. */
function failureOutput(err: unknown): { name: string; message: string } {
  return err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
}

/**
 * Finds the @JobHandler methods, creates their queues (every role: the API enqueues into them), runs them where
 * workers run, and drains them on shutdown.
 */
@Injectable()
export class JobWorkers implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy, OnApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private readonly handlers = new Map<string, DiscoveredHandler>();

  constructor(
    @Inject(PG_BOSS) private readonly boss: PgBoss,
    @Inject(JOBS_OPTIONS) private readonly options: JobsModuleOptions,
    private readonly jobQueue: JobQueue,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {}

  async onModuleInit(): Promise<void> {
    this.discoverHandlers();
    for (const { options } of this.handlers.values()) {
      const policy = {
        retryLimit: options.retryLimit,
        retryDelay: options.retryDelaySeconds,
        retryBackoff: options.retryBackoff,
        ...(options.retryDelayMaxSeconds !== undefined && { retryDelayMax: options.retryDelayMaxSeconds }),
        ...(options.expireInSeconds !== undefined && { expireInSeconds: options.expireInSeconds }),
        notify: true,
      };
      // createQueue leaves an existing queue as it was; updateQueue brings its retry policy in line with the code.
      await this.boss.createQueue(options.queue, { ...policy, policy: options.policy ?? 'standard' });
      await this.boss.updateQueue(options.queue, policy);
      this.jobQueue.markQueueKnown(options.queue);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.options.runWorkers) return;
    for (const [queue, handler] of this.handlers) {
      await this.boss.work<unknown>(
        queue,
        {
          batchSize: 1,
          localConcurrency: handler.options.concurrency ?? 1,
          // Per-job results let a PermanentJobError fail the job terminally (pg-boss's 'deadletter' disposition).
          perJobResults: true,
          pollingIntervalSeconds: this.options.pollingIntervalSeconds ?? DEFAULT_POLLING_INTERVAL_SECONDS,
          // pg-boss relaxes polling to 30 s while NOTIFY works, but NOTIFY only announces new jobs: a retry coming
          // due would then wait up to 30 s past its delay.
          notifyPollingIntervalSeconds: this.options.pollingIntervalSeconds ?? DEFAULT_POLLING_INTERVAL_SECONDS,
        },
        async (jobs: Job<unknown>[]): Promise<JobResult[]> => Promise.all(jobs.map((job) => this.runOne(queue, handler, job))),
      );
    }
    this.logger.log(`Workers running for ${this.handlers.size} queue(s)`);
  }

  /**
   * First step of shutdown, while the rest of the app (database included) is still up: stop fetching, let running
   * handlers finish within the grace period. pg-boss then fails what is still running, which puts it back in
   * retry for the next worker. The pool stays open so requests still being served can enqueue.
   */
  async onModuleDestroy(): Promise<void> {
    await this.boss.stop({
      close: false,
      graceful: true,
      timeout: this.options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS,
    });
  }

  async onApplicationShutdown(): Promise<void> {
    await this.boss.stop();
  }

  private async runOne(queue: string, handler: DiscoveredHandler, job: Job<unknown>): Promise<JobResult> {
    try {
      await handler.run({ id: job.id, queue, data: job.data, retryCount: job.retryCount, signal: job.signal });
      return { id: job.id, status: 'completed' };
    } catch (err) {
      const attempt = `attempt ${job.retryCount + 1}/${handler.options.retryLimit + 1}`;
      const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      if (err instanceof PermanentJobError) {
        this.logger.error(`Job ${queue} ${job.id} failed permanently (${attempt}): ${reason}`);
        return { id: job.id, status: 'deadletter', output: failureOutput(err) };
      }
      const last = job.retryCount >= handler.options.retryLimit;
      if (err instanceof RetryAfterError) {
        await this.failUntil(queue, job, err);
        this.logger[last ? 'error' : 'warn'](`Job ${queue} ${job.id} failed (${attempt}${last ? ', giving up' : ''}): ${reason}`);
        // Already settled above; pg-boss's own settle of this attempt is fenced and finds nothing to do.
        return { id: job.id, status: 'failed', output: failureOutput(err) };
      }
      this.logger[last ? 'error' : 'warn'](`Job ${queue} ${job.id} failed (${attempt}${last ? ', giving up' : ''}): ${reason}`);
      return { id: job.id, status: 'failed', output: failureOutput(err) };
    }
  }

  /**
   * pg-boss has no per-failure delay, so the retry's start is pushed out in the same transaction that fails the
   * attempt: no worker can pick the retry up between the two statements.
   */
  private async failUntil(queue: string, job: Job<unknown>, err: RetryAfterError): Promise<void> {
    const tx = await this.boss.getDb().beginTransaction!();
    try {
      await this.boss.fail(queue, { id: job.id, retryCount: job.retryCount }, failureOutput(err), { db: tx.db });
      // Only a job that went to 'retry' matches; one out of retries stays failed.
      await this.boss.update(queue, undefined, { id: job.id, startAfter: new Date(Date.now() + err.seconds * 1000), db: tx.db });
      await tx.commit();
    } catch (settleError) {
      await tx.rollback();
      throw settleError;
    }
  }

  private discoverHandlers(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const options = this.reflector.get<JobHandlerOptions | undefined>(JOB_HANDLER, fn as () => unknown);
        if (!options) continue;
        const owner = `${instance.constructor.name}.${method}`;
        const existing = this.handlers.get(options.queue);
        if (existing) throw new Error(`Queue ${options.queue} has two handlers: ${existing.owner} and ${owner}`);
        this.handlers.set(options.queue, { options, owner, run: (job) => (fn as (j: QueuedJob<unknown>) => Promise<void>).call(instance, job) });
      }
    }
  }
}
