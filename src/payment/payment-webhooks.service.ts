import { HttpStatus, Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppException } from '../common/app-exception.js';
import { decodeCursor, encodeCursor } from '../common/pagination.js';
import { JobHandler, JobQueue, PermanentJobError, RetryAfterError, type QueuedJob } from '../jobs/index.js';
import type { WebhookEventDto, WebhookEventsQueryDto } from './dto/payment.dto.js';
import { PaymentErrors } from './payment-errors.js';
import { PaymentStateService } from './payment-state.service.js';
import { PaymentProviderError } from './providers/payment-provider.error.js';
import { PaymentProvider } from './providers/payment-provider.js';
import type { WebhookEvent } from './webhook-event.entity.js';
import { GroupCommit } from './group-commit.js';
import { WebhookInbox } from './webhook-inbox.js';

export const WEBHOOK_EVENT_QUEUE = 'payment-webhook-events';

interface WebhookEventJob {
  webhookEventIds: string[];
}

export interface Delivery {
  rawBody: Buffer | undefined;
  /** the body as the JSON parser already read it from rawBody (spares parsing the same bytes twice) */
  parsedBody?: unknown;
  signature: string | undefined;
  receivedAt: Date;
  started: number;
}

function toWebhookEventDto(row: Record<string, any>): WebhookEventDto {
  return {
    id: row.id,
    eventId: row.provider_event_id,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    receivedAt: new Date(row.received_at).toISOString(),
    processedAt: row.processed_at ? new Date(row.processed_at).toISOString() : null,
  };
}

/**
 * Inbound Stripe events: verified on the raw bytes, stored once (INSERT ... ON CONFLICT DO NOTHING on the event id)
 * before the 2xx, then applied in a job. Applying re-reads the object from Stripe, so the order in which events
 * arrive does not matter.
 */
@Injectable()
export class PaymentWebhooksService implements BeforeApplicationShutdown {
  private readonly logger = new Logger(PaymentWebhooksService.name);
  private readonly inbox: WebhookInbox;
  /** Events stored meanwhile share one job (one insert and commit in pg-boss instead of one per event). */
  private readonly enqueueing = new GroupCommit<string[], void>(
    async (groups) => {
      await this.jobs.enqueue<WebhookEventJob>(WEBHOOK_EVENT_QUEUE, { webhookEventIds: groups.flat() });
      return groups.map(() => undefined);
    },
    { maxInFlight: 1, maxSize: 50 },
  );

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly provider: PaymentProvider,
    private readonly jobs: JobQueue,
    private readonly state: PaymentStateService,
  ) {
    // The delivery does not wait for its job: a stored event is never lost, see WebhookInbox.
    this.inbox = new WebhookInbox(dataSource, provider.name, (webhookEventIds) => {
      this.enqueueing.add(webhookEventIds).catch((error: Error) => {
        this.logger.warn(`enqueueing ${webhookEventIds.length} stored webhook events failed (reconciliation will): ${error.message}`);
      });
    });
  }

  /** Deliveries already verified finish storing, and stored events get their job, before the connections close. */
  async beforeApplicationShutdown(): Promise<void> {
    await this.inbox.drained();
    await this.enqueueing.drained();
  }

  async receive(delivery: Delivery): Promise<{ received: true; duplicate: boolean }> {
    let event: { id: string; type: string };
    try {
      if (!delivery.rawBody || delivery.rawBody.length === 0) throw new AppException('WEBHOOK_ERROR', 'Empty webhook body');
      event = this.provider.verifyWebhook(delivery.rawBody, delivery.signature, delivery.parsedBody);
      if (!/^evt_[A-Za-z0-9]{1,250}$/.test(event.id) || typeof event.type !== 'string') {
        throw new AppException('WEBHOOK_ERROR', 'The webhook body is not a Stripe event');
      }
    } catch (error) {
      const status = error instanceof AppException ? error.status : HttpStatus.INTERNAL_SERVER_ERROR;
      await this.logDelivery(delivery, { eventId: null, signatureValid: false, duplicate: false, status, error: (error as Error).message });
      throw error;
    }
    const stored = await this.inbox.add({
      eventId: event.id,
      type: event.type,
      payload: delivery.rawBody.toString('utf8'),
      receivedAt: delivery.receivedAt,
      started: delivery.started,
    });
    return { received: true, duplicate: stored === null };
  }

  private async logDelivery(
    delivery: Delivery,
    line: { eventId: string | null; signatureValid: boolean; duplicate: boolean; status: number; error: string | null },
  ): Promise<void> {
    await this.dataSource
      .query(
        `INSERT INTO webhook_delivery_logs (webhook_id, provider_event_id, received_at, signature_valid, duplicate, status_code, duration_ms, error)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        [this.provider.name, line.eventId, delivery.receivedAt, line.signatureValid, line.duplicate, line.status, performance.now() - delivery.started, line.error],
      )
      .catch((error: Error) => this.logger.error(`webhook delivery log write failed: ${error.message}`));
  }

  @JobHandler({ queue: WEBHOOK_EVENT_QUEUE, retryLimit: 5, retryDelaySeconds: 1, retryBackoff: true, retryDelayMaxSeconds: 300, concurrency: 5 })
  async handleEventJob(job: QueuedJob<WebhookEventJob>): Promise<void> {
    const failures: unknown[] = [];
    for (const id of job.data.webhookEventIds) {
      // Each event on its own: one failing does not hold back the others; a retry skips the processed ones.
      await this.process(id).catch((error: unknown) => failures.push(error));
    }
    if (failures.length === 0) return;
    const retryAfter = failures.find((error): error is RetryAfterError => error instanceof RetryAfterError);
    if (retryAfter) throw retryAfter;
    if (failures.every((error) => error instanceof PermanentJobError)) throw failures[0];
    throw failures.find((error) => !(error instanceof PermanentJobError));
  }

  /** Applies one stored event. Processing an already processed event does nothing. */
  async process(webhookEventId: string): Promise<void> {
    const [claimed] = (await this.dataSource.query(
      `UPDATE webhook_events SET status = 'processing', attempts = attempts + 1
       WHERE id = $1 AND status NOT IN ('processed', 'ignored') RETURNING provider_event_id, payload`,
      [webhookEventId],
    )) as [Array<{ provider_event_id: string; payload: Record<string, unknown> }>, number];
    const row = claimed[0];
    if (!row) return;
    try {
      const applied = await this.apply(row.provider_event_id, row.payload);
      await this.dataSource.query(
        `UPDATE webhook_events SET status = $2, processed_at = now(), last_error = NULL WHERE id = $1`,
        [webhookEventId, applied ? 'processed' : 'ignored'],
      );
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.dataSource.query(`UPDATE webhook_events SET status = 'failed', last_error = $2 WHERE id = $1`, [webhookEventId, message.slice(0, 1000)]);
      if (error instanceof PaymentProviderError && error.failure === 'RATE_LIMITED') {
        throw new RetryAfterError(error.retryAfterSeconds ?? 30, error);
      }
      // The event stays 'failed' and visible to admins, who can replay it once the cause is fixed.
      if (error instanceof PaymentProviderError && !error.retryable) throw new PermanentJobError(message, error);
      throw error;
    }
  }

  /** Returns false for events we do not act on. */
  private async apply(eventId: string, payload: Record<string, unknown>): Promise<boolean> {
    const facts = this.provider.describeEvent(payload);
    if (facts.subject === 'none' || !facts.objectId) return false;
    const history = facts.history ? { facts: facts.history, eventId } : undefined;
    const readAt = new Date();
    if (facts.subject === 'payment') {
      const pi = await this.provider.getPaymentIntent(facts.objectId);
      return (await this.state.applyPaymentIntent(this.provider.name, pi, readAt, history)) !== null;
    }
    const sub = await this.provider.getSubscription(facts.objectId);
    return (await this.state.applySubscription(this.provider.name, sub, readAt, history)) !== null;
  }

  async list(query: WebhookEventsQueryDto): Promise<{ events: WebhookEventDto[]; nextCursor: string | null }> {
    const limit = query.limit ?? 50;
    const params: unknown[] = [limit + 1];
    const where: string[] = [];
    if (query.status) {
      params.push(query.status);
      where.push(`status = $${params.length}`);
    }
    if (query.cursor) {
      const position = decodeCursor(query.cursor);
      if (!/^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(position.value) || !/^[0-9a-f-]{36}$/.test(position.id)) {
        throw new AppException('VALIDATION_ERROR', 'cursor is not a cursor this API issued');
      }
      params.push(position.value, position.id);
      where.push(`(received_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    const rows = (await this.dataSource.query(
      `SELECT id, provider_event_id, type, status, attempts, last_error, received_at, processed_at,
              to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
       FROM webhook_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY received_at DESC, id DESC LIMIT $1`,
      params,
    )) as Array<Record<string, any>>;
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      events: items.map(toWebhookEventDto),
      nextCursor: rows.length > limit && last ? encodeCursor({ value: last.cursor_at, id: last.id }) : null,
    };
  }

  /** An admin re-runs processing of a stored event (after fixing what made it fail). */
  async replay(id: string): Promise<WebhookEventDto> {
    const byStripeId = id.startsWith('evt_');
    const [updatedRows] = (await this.dataSource.query(
      `UPDATE webhook_events SET status = 'received', last_error = NULL, processed_at = NULL
       WHERE ${byStripeId ? 'provider_event_id' : 'id'} = $1 AND provider = $2 RETURNING id`,
      [id, this.provider.name],
    )) as [Array<{ id: string }>, number];
    const updated = updatedRows[0];
    if (!updated) throw new AppException(PaymentErrors.WEBHOOK_EVENT_NOT_FOUND, 'Webhook event not found', { status: HttpStatus.NOT_FOUND });
    await this.jobs.enqueue<WebhookEventJob>(WEBHOOK_EVENT_QUEUE, { webhookEventIds: [updated.id] });
    return this.get(updated.id);
  }

  async get(id: string): Promise<WebhookEventDto> {
    const [row] = (await this.dataSource.query(`SELECT * FROM webhook_events WHERE id = $1`, [id])) as Array<Record<string, any>>;
    if (!row) throw new AppException(PaymentErrors.WEBHOOK_EVENT_NOT_FOUND, 'Webhook event not found', { status: HttpStatus.NOT_FOUND });
    return toWebhookEventDto(row);
  }

  /** Events stored but never picked up (a crash between storing and enqueueing): enqueue them again. */
  async requeueStranded(olderThanSeconds: number): Promise<number> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM webhook_events WHERE status = 'received' AND received_at < now() - make_interval(secs => $1) LIMIT 500`,
      [olderThanSeconds],
    )) as Array<Pick<WebhookEvent, 'id'>>;
    if (rows.length > 0) await this.jobs.enqueue<WebhookEventJob>(WEBHOOK_EVENT_QUEUE, { webhookEventIds: rows.map((row) => row.id) });
    return rows.length;
  }
}
