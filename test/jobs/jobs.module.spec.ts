import { setTimeout as sleepFor } from 'node:timers/promises';
import { Injectable, type LoggerService } from '@nestjs/common';
import { Test, type TestingModule } from '@nestjs/testing';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { JobHandler, JobQueue, JobsModule, PermanentJobError, type QueuedJob, RetryAfterError } from '../../src/jobs/index.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

// Stands in for a sensitive id carried in job data: it must never reach a log line.
const SECRET = 'patient-7f3a-do-not-log';

interface Payload {
  n: number;
  secret?: string;
}

/** What the test handlers saw: per queue, the job ids and the moment each attempt started. */
@Injectable()
class Attempts {
  readonly seen: { queue: string; id: string; n: number; retryCount: number; at: number }[] = [];
  finished: string[] = [];

  record(job: QueuedJob<Payload>): void {
    this.seen.push({ queue: job.queue, id: job.id, n: job.data.n, retryCount: job.retryCount, at: Date.now() });
  }

  of(id: string) {
    return this.seen.filter((a) => a.id === id);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

@Injectable()
class TestHandlers {
  constructor(private readonly attempts: Attempts) {}

  @JobHandler({ queue: 'test.record', retryLimit: 5, retryDelaySeconds: 5, retryBackoff: true })
  async record(job: QueuedJob<Payload>): Promise<void> {
    this.attempts.record(job);
  }

  @JobHandler({ queue: 'test.coalesced', policy: 'short', retryLimit: 0, retryDelaySeconds: 0, retryBackoff: false })
  async coalesced(job: QueuedJob<Payload>): Promise<void> {
    this.attempts.record(job);
  }

  @JobHandler({ queue: 'test.flaky', retryLimit: 2, retryDelaySeconds: 1, retryBackoff: true })
  async flaky(job: QueuedJob<Payload>): Promise<void> {
    this.attempts.record(job);
    throw new Error('provider unavailable');
  }

  @JobHandler({ queue: 'test.throttled', retryLimit: 3, retryDelaySeconds: 0, retryBackoff: false })
  async throttled(job: QueuedJob<Payload>): Promise<void> {
    this.attempts.record(job);
    if (job.retryCount === 0) throw new RetryAfterError(job.data.n, new Error('429 Too Many Requests'));
  }

  @JobHandler({ queue: 'test.always-throttled', retryLimit: 1, retryDelaySeconds: 0, retryBackoff: false })
  async alwaysThrottled(job: QueuedJob<Payload>): Promise<void> {
    this.attempts.record(job);
    throw new RetryAfterError(1);
  }

  @JobHandler({ queue: 'test.revoked', retryLimit: 5, retryDelaySeconds: 0, retryBackoff: false })
  async revoked(job: QueuedJob<Payload>): Promise<void> {
    this.attempts.record(job);
    throw new PermanentJobError('credentials revoked');
  }

  @JobHandler({ queue: 'test.slow', retryLimit: 1, retryDelaySeconds: 0, retryBackoff: false })
  async slow(job: QueuedJob<Payload>): Promise<void> {
    this.attempts.record(job);
    // A handler that outlives the shutdown grace sees its signal aborted and should stop.
    await sleepFor(job.data.n, undefined, { signal: job.signal });
    this.attempts.finished.push(job.id);
  }
}

class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  log(message: unknown) {
    this.lines.push(String(message));
  }
  error(message: unknown) {
    this.lines.push(String(message));
  }
  warn(message: unknown) {
    this.lines.push(String(message));
  }
}

const logger = new CapturingLogger();

async function startApp(db: TestDatabase, runWorkers: boolean, shutdownTimeoutMs = 20_000): Promise<TestingModule> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      TypeOrmModule.forRoot({ type: 'postgres', url: db.url, installExtensions: false, synchronize: false, entities: [] }),
      JobsModule.forRootAsync({
        useFactory: () => ({ connectionString: db.url, runWorkers, shutdownTimeoutMs, pollingIntervalSeconds: 0.5 }),
      }),
    ],
    providers: [Attempts, TestHandlers],
  })
    .setLogger(logger)
    .compile();
  return moduleRef.init();
}

async function waitFor<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await sleep(50);
  }
}

describe(JobsModule.name, () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase('jobs');
  });

  afterAll(async () => {
    await db.drop();
  });

  describe('with workers', () => {
    let app: TestingModule;
    let jobs: JobQueue;
    let attempts: Attempts;
    let flakyId: string;

    beforeAll(async () => {
      app = await startApp(db, true);
      jobs = app.get(JobQueue);
      attempts = app.get(Attempts);
      flakyId = (await jobs.enqueue<Payload>('test.flaky', { n: 0, secret: SECRET }))!;
    });

    afterAll(async () => {
      await app.close();
    });

    it('never runs a job enqueued in a rolled-back transaction, and runs a committed one exactly once', async () => {
      const dataSource = app.get(DataSource);
      let rolledBackId: string | null = null;
      await expect(
        dataSource.transaction(async (manager) => {
          rolledBackId = await jobs.enqueue<Payload>('test.record', { n: 1 }, { manager });
          throw new Error('request failed after enqueue');
        }),
      ).rejects.toThrow('request failed after enqueue');
      const committedId = await dataSource.transaction((manager) => jobs.enqueue<Payload>('test.record', { n: 2 }, { manager }));

      expect(rolledBackId).toEqual(expect.any(String));
      await waitFor(async () => (await jobs.getJob('test.record', committedId!))?.state === 'completed');
      await sleep(1000);
      await expect(jobs.getJob('test.record', rolledBackId!)).resolves.toBeNull();
      expect(attempts.seen.filter((a) => a.queue === 'test.record').map((a) => a.n)).toEqual([2]);
    });

    it('refuses a manager that is not inside a transaction', async () => {
      const manager = app.get(DataSource).manager;
      await expect(jobs.enqueue<Payload>('test.record', { n: 3 }, { manager })).rejects.toThrow('not inside a transaction');
    });

    it('waits at least Retry-After seconds before the next attempt, which counts as a retry', async () => {
      const id = (await jobs.enqueue<Payload>('test.throttled', { n: 2 }))!;

      const job = await waitFor(async () => {
        const stored = await jobs.getJob('test.throttled', id);
        return stored?.state === 'completed' && stored;
      });
      const tries = attempts.of(id);
      expect(tries).toHaveLength(2);
      expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(2000);
      expect(job.retryCount).toBe(1);
    });

    it('fails a job for good once Retry-After retries use up the limit', async () => {
      const id = (await jobs.enqueue<Payload>('test.always-throttled', { n: 0 }))!;

      const job = await waitFor(async () => {
        const stored = await jobs.getJob('test.always-throttled', id);
        return stored?.state === 'failed' && stored;
      });
      const tries = attempts.of(id);
      expect(tries).toHaveLength(2);
      expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(1000);
      expect(job.output).toEqual({ name: 'RetryAfterError', message: 'retry after 1s' });
    });

    it('does not retry after a PermanentJobError', async () => {
      const id = (await jobs.enqueue<Payload>('test.revoked', { n: 0 }))!;

      const job = await waitFor(async () => {
        const stored = await jobs.getJob('test.revoked', id);
        return stored?.state === 'failed' && stored;
      });
      await sleep(1000);
      expect(attempts.of(id)).toHaveLength(1);
      expect(job.output).toEqual({ name: 'PermanentJobError', message: 'credentials revoked' });
      expect(logger.lines.some((line) => line.includes(id) && line.includes('failed permanently'))).toBe(true);
    });

    it('keeps one queued job per singletonKey on a short queue and honours a caller-chosen id and startAfter', async () => {
      const first = await jobs.enqueue<Payload>('test.coalesced', { n: 10 }, { singletonKey: 'session-1', startAfter: 60 });
      const second = await jobs.enqueue<Payload>('test.coalesced', { n: 11 }, { singletonKey: 'session-1', startAfter: 60 });
      const other = await jobs.enqueue<Payload>('test.coalesced', { n: 12 }, { singletonKey: 'session-2', startAfter: 60 });
      expect(first).toEqual(expect.any(String));
      expect(second).toBeNull();
      expect(other).toEqual(expect.any(String));

      const id = '6f1c2d9e-4b7a-4c3e-9d2f-0a1b2c3d4e5f';
      await expect(jobs.enqueue<Payload>('test.record', { n: 13 }, { id, startAfter: new Date(Date.now() + 60_000) })).resolves.toBe(id);
      await jobs.cancel('test.record', id);
      await expect(jobs.getJob('test.record', id)).resolves.toMatchObject({ state: 'cancelled', data: { n: 13 } });
    });

    // Enqueued in beforeAll: its retries (3-6 s of backoff) run while the other tests do.
    it('retries a failing job with growing delays up to the limit, then fails it', async () => {
      const id = flakyId;
      const job = await waitFor(async () => {
        const stored = await jobs.getJob('test.flaky', id);
        return stored?.state === 'failed' && stored;
      }, 15_000);
      const tries = attempts.of(id);
      expect(tries.map((a) => a.retryCount)).toEqual([0, 1, 2]);
      // Backoff with retryDelay 1: the first retry waits 1-2 s, the second 2-4 s.
      expect(tries[1].at - tries[0].at).toBeGreaterThanOrEqual(950);
      expect(tries[2].at - tries[1].at).toBeGreaterThanOrEqual(1950);
      expect(job.output).toEqual({ name: 'Error', message: 'provider unavailable' });

      const failureLines = logger.lines.filter((line) => line.includes(id));
      expect(failureLines).toHaveLength(3);
      expect(failureLines.every((line) => line.includes('test.flaky'))).toBe(true);
      expect(failureLines[2]).toContain('giving up');
      expect(logger.lines.some((line) => line.includes(SECRET))).toBe(false);
    });

    it('stores a cron schedule for a queue', async () => {
      await jobs.schedule('test.nightly', '0 3 * * *', { n: 0 });
      await jobs.unschedule('test.nightly');
    });
  });

  describe('without workers', () => {
    it('enqueues without running handlers; a worker process picks the job up', async () => {
      const api = await startApp(db, false);
      try {
        const id = (await api.get(JobQueue).enqueue<Payload>('test.record', { n: 20 }))!;
        await sleep(1500);
        expect(api.get(Attempts).seen).toEqual([]);
        await expect(api.get(JobQueue).getJob('test.record', id)).resolves.toMatchObject({ state: 'created' });

        const worker = await startApp(db, true);
        try {
          await waitFor(() => worker.get(Attempts).of(id).length === 1);
          await waitFor(async () => (await api.get(JobQueue).getJob('test.record', id))?.state === 'completed');
        } finally {
          await worker.close();
        }
      } finally {
        await api.close();
      }
    });
  });

  describe('shutdown', () => {
    it('waits for a running handler to finish', async () => {
      const app = await startApp(db, true);
      const attempts = app.get(Attempts);
      const jobs = app.get(JobQueue);
      const id = (await jobs.enqueue<Payload>('test.slow', { n: 1500 }))!;
      await waitFor(() => attempts.of(id).length === 1);

      const closing = app.close();
      await sleep(200);
      // Requests still being served while workers drain can enqueue: the pool closes last.
      await expect(jobs.enqueue<Payload>('test.record', { n: 30 })).resolves.toEqual(expect.any(String));
      expect(attempts.finished).toEqual([]);
      await closing;

      expect(attempts.finished).toEqual([id]);
      const observer = await startApp(db, false);
      try {
        await expect(observer.get(JobQueue).getJob('test.slow', id)).resolves.toMatchObject({ state: 'completed' });
      } finally {
        await observer.close();
      }
    });

    it('stops waiting after the timeout and hands the job back for a retry', async () => {
      const app = await startApp(db, true, 1000);
      const attempts = app.get(Attempts);
      const id = (await app.get(JobQueue).enqueue<Payload>('test.slow', { n: 4000 }))!;
      await waitFor(() => attempts.of(id).length === 1);

      const started = Date.now();
      await app.close();
      const took = Date.now() - started;

      expect(took).toBeLessThan(3000);
      expect(attempts.finished).not.toContain(id);
      const observer = await startApp(db, false);
      try {
        await expect(observer.get(JobQueue).getJob('test.slow', id)).resolves.toMatchObject({ state: 'retry' });
      } finally {
        await observer.close();
      }
    });
  });
});
