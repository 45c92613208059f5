export { PermanentJobError, RetryAfterError } from './job-errors.js';
export { JobHandler, type JobHandlerOptions, type JobQueuePolicy } from './job-handler.decorator.js';
export { type EnqueueOptions, JobQueue } from './job-queue.service.js';
export type { JobsModuleAsyncOptions, JobsModuleOptions } from './jobs.options.js';
export { JobsModule } from './jobs.module.js';
export type { JobRecord, JobState, QueuedJob } from './queued-job.js';
