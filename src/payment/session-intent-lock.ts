import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import pg from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDataSourceOptions } from 'typeorm/driver/postgres/PostgresDataSourceOptions.js';
import { AppException } from '../common/app-exception.js';
import { PaymentErrors } from './payment-errors.js';

/** Longer than a normal Stripe round trip by far; a waiter past it is told to retry rather than queue forever. */
const LOCK_WAIT_MS = 30_000;

/**
 * Serializes intent creation per session across processes, so a session never gets two open payment intents.
 *
 * A PostgreSQL session-level advisory lock, held on a connection of its own (not the pool's, not a transaction):
 * the holder calls Stripe while holding it, and its other queries still get pool connections, so waiters can never
 * starve the pool the holder needs. The lock dies with its connection, so a crashed holder frees the session at once.
 * Within one process, requests for the same session queue in memory first: only one per session waits in PostgreSQL.
 */
@Injectable()
export class SessionIntentLock {
  private readonly queues = new Map<string, Promise<void>>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async run<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(sessionId) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = previous.then(() => mine);
    this.queues.set(sessionId, tail);
    try {
      await previous;
      return await this.holdingAdvisoryLock(sessionId, work);
    } finally {
      done();
      if (this.queues.get(sessionId) === tail) this.queues.delete(sessionId);
    }
  }

  private async holdingAdvisoryLock<T>(sessionId: string, work: () => Promise<T>): Promise<T> {
    const { url, applicationName } = this.dataSource.options as PostgresDataSourceOptions;
    const connection = new pg.Client({ connectionString: url, application_name: `${applicationName ?? 'teletherapy'}-intent-lock`, statement_timeout: LOCK_WAIT_MS });
    // A dropped connection has already released the lock; the holder's own queries report their errors themselves.
    connection.on('error', () => undefined);
    await connection.connect();
    const key = `payment-intent:${sessionId}`;
    try {
      try {
        await connection.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      } catch (error) {
        if ((error as { code?: string }).code === '57014') {
          throw new AppException(PaymentErrors.PAYMENT_IN_PROGRESS, 'A payment for this session is being set up; try again shortly', {
            status: HttpStatus.CONFLICT,
          });
        }
        throw error;
      }
      try {
        return await work();
      } finally {
        await connection.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]).catch(() => undefined);
      }
    } finally {
      await connection.end().catch(() => undefined);
    }
  }
}
