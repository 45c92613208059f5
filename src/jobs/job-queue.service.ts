import { Inject, Injectable } from '@nestjs/common';
import type { PgBoss, SendOptions } from 'pg-boss';
import type { EntityManager } from 'typeorm';
import { PG_BOSS } from './jobs.options.js';
import type { JobRecord, JobState } from './queued-job.js';
import { transactionDb } from './transaction-db.js';

export interface EnqueueOptions {
  /** The caller's transaction: the job exists only if it commits. */
  manager?: EntityManager;
  /** Not before this instant (Date) or this many seconds from now (number). */
  startAfter?: Date | number;
  /**
   * Dedupe key, enforced by the queue's policy (see JobQueuePolicy): on a `short` queue a second enqueue with the
   * key of a job not yet started returns null. A `standard` queue stores the key but does not dedupe on it.
   */
  singletonKey?: string;
  /** A UUID chosen by the caller, for idempotent enqueueing. */
  id?: string;
}

/** Enqueue, schedule and inspect jobs. Works in every role, whether or not this process runs workers. */
@Injectable()
export class JobQueue {
  private readonly knownQueues = new Set<string>();

  constructor(@Inject(PG_BOSS) private readonly boss: PgBoss) {}

  /** Resolves to the job id, or null when a singletonKey (or id) already has a queued job. */
  async enqueue<T extends object>(queue: string, data: T, opts: EnqueueOptions = {}): Promise<string | null> {
    const options: SendOptions = {};
    if (opts.manager) options.db = transactionDb(opts.manager);
    if (opts.startAfter !== undefined) options.startAfter = opts.startAfter;
    if (opts.singletonKey !== undefined) options.singletonKey = opts.singletonKey;
    if (opts.id !== undefined) options.id = opts.id;
    return this.boss.send(queue, data, options);
  }

  /** A recurring job on a cron expression (UTC unless `tz`). Re-scheduling the same queue and key replaces it. */
  async schedule<T extends object>(queue: string, cron: string, data?: T, opts: { tz?: string; key?: string } = {}): Promise<void> {
    await this.ensureQueue(queue);
    await this.boss.schedule(queue, cron, data ?? null, opts);
  }

  async unschedule(queue: string, key?: string): Promise<void> {
    await this.boss.unschedule(queue, key);
  }

  /** Cancels a job that has not finished; optionally inside the caller's transaction. */
  async cancel(queue: string, id: string, manager?: EntityManager): Promise<void> {
    await this.boss.cancel(queue, id, manager ? { db: transactionDb(manager) } : undefined);
  }

  async getJob<T = unknown>(queue: string, id: string): Promise<JobRecord<T> | null> {
    const [job] = await this.boss.findJobs<T>(queue, { id });
    if (!job) return null;
    return {
      id: job.id,
      queue: job.name,
      data: job.data,
      state: job.state as JobState,
      retryCount: job.retryCount,
      retryLimit: job.retryLimit,
      startAfter: job.startAfter,
      createdOn: job.createdOn,
      completedOn: job.completedOn,
      singletonKey: job.singletonKey,
      output: job.output,
    };
  }

  /** Called by the module for every queue a handler declares, so schedule() does not create it again. */
  markQueueKnown(queue: string): void {
    this.knownQueues.add(queue);
  }

  private async ensureQueue(queue: string): Promise<void> {
    if (this.knownQueues.has(queue)) return;
    if (!(await this.boss.getQueue(queue))) await this.boss.createQueue(queue, { notify: true });
    this.knownQueues.add(queue);
  }
}
