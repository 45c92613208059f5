import type { DataSource } from 'typeorm';
import { GroupCommit } from './group-commit.js';

export interface VerifiedDelivery {
  eventId: string;
  type: string;
  /** the raw body as received (it verified and parsed as JSON) */
  payload: string;
  receivedAt: Date;
  started: number;
}

/**
 * Stores verified deliveries: each new event once (unique provider event id) and a delivery log line for every
 * delivery, in one statement. Concurrent deliveries share that statement and its commit (group commit); a
 * delivery's promise resolves only after its group committed, so a 2xx means "durably stored".
 *
 * Queueing the processing is not on this path: `onStored` is told the new events' ids after the commit and queues
 * them without the delivery waiting. Nothing is lost by that: an event stays 'received' until a job processes it,
 * and reconciliation (PaymentReconciliationService → requeueStranded) enqueues every event still 'received' after
 * its threshold, which also covers a crash between the commit and the enqueue.
 */
export class WebhookInbox {
  private readonly groups: GroupCommit<VerifiedDelivery, string | null>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly provider: string,
    private readonly onStored: (webhookEventIds: string[]) => void,
    options = { maxInFlight: 4, maxSize: 100 },
  ) {
    this.groups = new GroupCommit((deliveries) => this.store(deliveries), options);
  }

  /** Resolves to the stored event's id, or null when the event was already stored (a duplicate delivery). */
  add(delivery: VerifiedDelivery): Promise<string | null> {
    return this.groups.add(delivery);
  }

  drained(): Promise<void> {
    return this.groups.drained();
  }

  private async store(deliveries: VerifiedDelivery[]): Promise<Array<string | null>> {
    // Only the first delivery of an event in a group can be the one that stores it; the others are duplicates.
    const firsts = new Map<string, VerifiedDelivery>();
    for (const delivery of deliveries) if (!firsts.has(delivery.eventId)) firsts.set(delivery.eventId, delivery);
    // Rows are inserted in event-id order, so concurrent groups take unique-index locks in one order (no deadlock).
    const events = [...firsts.values()].sort((a, b) => (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0));
    const now = performance.now();
    const rows = (await this.dataSource.query(
      `WITH stored AS (
         INSERT INTO webhook_events (provider, provider_event_id, type, payload, received_at)
         SELECT $1, e.id, e.type, e.payload::jsonb, e.received_at
         FROM unnest($2::text[], $3::text[], $4::text[], $5::timestamptz[]) WITH ORDINALITY AS e(id, type, payload, received_at, n)
         ORDER BY e.n
         ON CONFLICT (provider, provider_event_id) DO NOTHING RETURNING id, provider_event_id
       ), logged AS (
         INSERT INTO webhook_delivery_logs (webhook_id, provider_event_id, received_at, signature_valid, duplicate, status_code, duration_ms)
         SELECT $1, d.id, d.received_at, true, NOT (d.first AND EXISTS (SELECT 1 FROM stored s WHERE s.provider_event_id = d.id)), 200, d.duration_ms
         FROM unnest($6::text[], $7::timestamptz[], $8::boolean[], $9::real[]) AS d(id, received_at, first, duration_ms)
       )
       SELECT id, provider_event_id FROM stored`,
      [
        this.provider,
        events.map((e) => e.eventId),
        events.map((e) => e.type),
        events.map((e) => e.payload),
        events.map((e) => e.receivedAt),
        deliveries.map((d) => d.eventId),
        deliveries.map((d) => d.receivedAt),
        deliveries.map((d) => firsts.get(d.eventId) === d),
        deliveries.map((d) => now - d.started),
      ],
    )) as Array<{ id: string; provider_event_id: string }>;
    const stored = new Map(rows.map((row) => [row.provider_event_id, row.id]));
    if (rows.length > 0) this.onStored(rows.map((row) => row.id));
    return deliveries.map((d) => (firsts.get(d.eventId) === d ? (stored.get(d.eventId) ?? null) : null));
  }
}
