export interface QueuedJob<T> {
  id: string;
  queue: string;
  data: T;
  /** 0 on the first attempt. */
  retryCount: number;
  /** Aborted when the job expired or the worker is shutting down past its grace period. */
  signal: AbortSignal;
}

export type JobState = 'created' | 'retry' | 'active' | 'completed' | 'cancelled' | 'failed';

/** A stored job, for admin views and tests. */
export interface JobRecord<T> {
  id: string;
  queue: string;
  data: T;
  state: JobState;
  retryCount: number;
  retryLimit: number;
  startAfter: Date;
  createdOn: Date;
  completedOn: Date | null;
  singletonKey: string | null;
  /** What the last attempt stored: the failure's name and message, or nothing. */
  output: unknown;
}
