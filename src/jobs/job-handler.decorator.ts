import { SetMetadata } from '@nestjs/common';

/**
 * pg-boss queue policies that decide what a `singletonKey` dedupes. `standard` (default) ignores the key;
 * `short` keeps one queued (not yet started) job per key, e.g. one pending sync per session; `stately` one
 * queued and one running; `singleton` one running; `exclusive` one queued or running. Fixed when the queue is
 * first created: changing it needs a new queue name.
 */
export type JobQueuePolicy = 'standard' | 'short' | 'singleton' | 'stately' | 'exclusive';

export interface JobHandlerOptions {
  /** Queue name: letters, digits, `_`, `-`, `.`, `/`. One handler per queue. */
  queue: string;
  /** Retries after the first attempt before the job is failed. */
  retryLimit: number;
  /** Delay before a retry; with `retryBackoff` the base of an exponential, jittered delay. */
  retryDelaySeconds: number;
  retryBackoff: boolean;
  /** Upper bound of the backoff delay. */
  retryDelayMaxSeconds?: number;
  /** Default 'standard'. */
  policy?: JobQueuePolicy;
  /** Jobs of this queue run at once in this process. Default 1. */
  concurrency?: number;
  /** A handler running longer than this is failed (and retried). pg-boss's default is 15 minutes. */
  expireInSeconds?: number;
}

export const JOB_HANDLER = Symbol('JOB_HANDLER');

/**
 * Marks a provider method `(job: QueuedJob<T>) => Promise<void>` as the handler of a queue. The queue is
 * created with this retry policy at start-up in every role; the method runs only where workers run.
 */
export const JobHandler = (options: JobHandlerOptions): MethodDecorator => SetMetadata(JOB_HANDLER, options);
