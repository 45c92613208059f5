import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type WebhookEventStatus = 'received' | 'processing' | 'processed' | 'failed' | 'ignored';

/** A provider event, stored once (unique provider event id) before the delivery is acknowledged. */
@Entity('webhook_events')
export class WebhookEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  provider: string;

  @Column('text', { name: 'provider_event_id' })
  providerEventId: string;

  @Column('text')
  type: string;

  @Column('jsonb')
  payload: Record<string, unknown>;

  @Column('text')
  status: WebhookEventStatus;

  @Column('int')
  attempts: number;

  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  @Column('timestamptz', { name: 'received_at' })
  receivedAt: Date;

  @Column('timestamptz', { name: 'processed_at', nullable: true })
  processedAt: Date | null;
}
