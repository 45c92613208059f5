import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config.js';
import { DataSource } from 'typeorm';
import { IntegrationLogService } from '../audit/integration-log.service.js';
import { ConnectionReauthRequiredError } from '../connections/connections-errors.js';
import { ConnectionsService, type ConnectionView } from '../connections/connections.service.js';
import { RetryAfterError } from '../jobs/index.js';
import { CalendarProviderError } from './calendar-errors.js';
import type { CalendarProvider, ProviderAccess } from './calendar-provider.js';
import { ProviderRateLimiter } from './rate-limiter.js';

const INLINE_ATTEMPTS = 4;
/** Longest Retry-After we wait for in place; beyond it the job is rescheduled (RetryAfterError) instead. */
const MAX_INLINE_WAIT_S = 20;

export interface CallOptions {
  action: string;
  sessionId?: string | null;
}

/**
 * Every calendar provider call goes through here: the provider's rate limit, a valid token (or credentials),
 * integration_logs, and retries of 429/5xx that honour Retry-After. Idempotency is the providers' (derived ids), so
 * retrying a write that may have landed is safe.
 */
@Injectable()
export class CalendarCalls {
  private readonly lockSlots: Semaphore;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly connections: ConnectionsService,
    private readonly limiter: ProviderRateLimiter,
    private readonly logs: IntegrationLogService,
    config: AppConfig,
  ) {
    this.lockSlots = new Semaphore(Math.max(1, Math.floor(config.database.poolSize / 3)));
  }

  async run<T>(provider: CalendarProvider, connection: ConnectionView, options: CallOptions, call: (access: ProviderAccess) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.limiter.acquire(provider.name);
        const result = await this.logs.track(
          { userId: connection.userId, provider: provider.name, action: options.action, sessionId: options.sessionId ?? null, details: { attempt } },
          () => this.withAccess(provider, connection, call),
        );
        return result;
      } catch (error) {
        if (error instanceof CalendarProviderError && error.kind === 'AUTH_REVOKED') {
          await this.connections.markNeedsReauth(connection.id, error.reason);
          throw new ConnectionReauthRequiredError(connection.id, connection.provider, error.reason, error);
        }
        if (!(error instanceof CalendarProviderError) || !error.retryable) throw error;
        const waitSeconds = error.kind === 'RATE_LIMITED' ? retryAfterSeconds(error.retryAfter) : 0.25 * 2 ** (attempt - 1);
        if (attempt >= INLINE_ATTEMPTS || waitSeconds > MAX_INLINE_WAIT_S) {
          if (error.kind === 'RATE_LIMITED') throw RetryAfterError.fromHeader(error.retryAfter, error);
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, waitSeconds * 1000));
      }
    }
  }

  /**
   * Runs `fn` while holding a cluster-wide advisory lock on `key` (on its own connection, outside any transaction),
   * so two instances syncing one event one after the other: the second finds the first one's event.
   */
  async exclusive<T>(key: string, fn: () => Promise<T>): Promise<T> {
    // Each holder keeps a pool connection for the lock and needs others for its work: cap holders per process.
    await this.lockSlots.acquire();
    try {
      return await this.exclusiveLocked(key, fn);
    } finally {
      this.lockSlots.release();
    }
  }

  private async exclusiveLocked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query('SELECT pg_advisory_lock(hashtextextended($1, 1))', [key]);
      try {
        return await fn();
      } finally {
        await runner.query('SELECT pg_advisory_unlock(hashtextextended($1, 1))', [key]);
      }
    } finally {
      await runner.release();
    }
  }

  private async withAccess<T>(provider: CalendarProvider, connection: ConnectionView, call: (access: ProviderAccess) => Promise<T>): Promise<T> {
    if (provider.access === 'credentials') {
      return this.connections.withCredentials(connection.id, (credentials, current) => call({ connection: current, credentials }));
    }
    return this.connections.withAccessToken(connection.id, (accessToken, current) => call({ connection: current, accessToken }));
  }
}

function retryAfterSeconds(header: string | null | undefined): number {
  return RetryAfterError.fromHeader(header, undefined, 1).seconds;
}

class Semaphore {
  private readonly waiting: Array<() => void> = [];

  constructor(private available: number) {}

  async acquire(): Promise<void> {
    if (this.available > 0) {
      this.available -= 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.available += 1;
  }
}
