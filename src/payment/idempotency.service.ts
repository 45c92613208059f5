import { createHash } from 'node:crypto';
import { HttpStatus, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppException } from '../common/app-exception.js';
import { SecretBox } from '../connections/secret-box.js';
import { PaymentErrors } from './payment-errors.js';

const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

/** Canonical JSON (sorted keys) so that the same body in another key order is the same request. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface IdempotentRequest {
  userId: string;
  /** the Idempotency-Key header; absent means no idempotency */
  key: string | undefined;
  /** what the request does and to what, e.g. `intent:<sessionId>` */
  operation: string;
  body: unknown;
}

/**
 * Our `Idempotency-Key` header: the first successful response for a (user, key) is kept and returned for a repeat
 * with the same operation and body; a different body under the same key is refused. Failures are not kept, so a
 * corrected retry can use the key again (the provider call below it is idempotent on its own key).
 * The kept response is sealed (it holds client secrets), bound to its user and key so it opens for no other row.
 */
@Injectable()
export class IdempotencyService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly box: SecretBox,
  ) {}

  /** Validates the header; the provider receives a key derived from it, scoped to the user. */
  static providerKey(request: IdempotentRequest, step: string): string | undefined {
    return request.key ? `${request.userId}:${step}:${createHash('sha256').update(request.key).digest('hex').slice(0, 32)}` : undefined;
  }

  async run<T>(request: IdempotentRequest, execute: () => Promise<T>): Promise<T> {
    if (request.key === undefined) return execute();
    if (!KEY_PATTERN.test(request.key)) {
      throw new AppException('VALIDATION_ERROR', 'Idempotency-Key must be 1-200 printable ASCII characters');
    }
    const hash = createHash('sha256').update(`${request.operation}\n${canonical(request.body)}`).digest('hex');
    const inserted: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_records (user_id, key, operation, request_hash, state)
       VALUES ($1, $2, $3, $4, 'in_progress') ON CONFLICT (user_id, key) DO NOTHING RETURNING key`,
      [request.userId, request.key, request.operation, hash],
    );
    if (inserted.length === 0) return this.replay<T>(request, hash, execute);
    try {
      const result = await execute();
      await this.keep(request, result);
      return result;
    } catch (error) {
      await this.dataSource.query(`DELETE FROM idempotency_records WHERE user_id = $1 AND key = $2`, [request.userId, request.key]);
      throw error;
    }
  }

  private async keep(request: IdempotentRequest, result: unknown): Promise<void> {
    const sealed = this.box.encrypt(JSON.stringify(result ?? null), IdempotencyService.aad(request));
    await this.dataSource.query(
      `UPDATE idempotency_records SET state = 'done', response = $3 WHERE user_id = $1 AND key = $2`,
      [request.userId, request.key, JSON.stringify(sealed)],
    );
  }

  private static aad(request: IdempotentRequest): string {
    return `idempotency:${request.userId}:${request.key}`;
  }

  private async replay<T>(request: IdempotentRequest, hash: string, execute: () => Promise<T>): Promise<T> {
    const [record] = (await this.dataSource.query(
      `SELECT request_hash, state, response FROM idempotency_records WHERE user_id = $1 AND key = $2`,
      [request.userId, request.key],
    )) as Array<{ request_hash: string; state: string; response: T }>;
    if (!record) {
      // The first attempt failed and released the key between our insert and this read: the caller may retry.
      throw new AppException(PaymentErrors.IDEMPOTENCY_KEY_IN_USE, 'A request with this Idempotency-Key is in progress', {
        status: HttpStatus.CONFLICT,
      });
    }
    if (record.request_hash !== hash) {
      throw new AppException(PaymentErrors.IDEMPOTENCY_KEY_REUSED, 'This Idempotency-Key was used with a different request', {
        status: HttpStatus.UNPROCESSABLE_ENTITY,
      });
    }
    if (record.state !== 'done') {
      throw new AppException(PaymentErrors.IDEMPOTENCY_KEY_IN_USE, 'A request with this Idempotency-Key is in progress', {
        status: HttpStatus.CONFLICT,
      });
    }
    try {
      if (typeof record.response !== 'string') throw new Error('not a sealed response');
      return JSON.parse(this.box.decrypt(record.response, IdempotencyService.aad(request))) as T;
    } catch {
      // Written before responses were sealed, or under a key since retired: the provider call is idempotent on a key
      // derived from this one, so running it again gives the same outcome, which is then kept sealed.
      const result = await execute();
      await this.keep(request, result);
      return result;
    }
  }
}
