import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One inbound webhook request, answered or refused (the seed's `webhook_delivery_logs`). */
@Entity('webhook_delivery_logs')
export class WebhookDeliveryLog {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id: string;

  /** the receiving endpoint, e.g. 'stripe' */
  @Column('text', { name: 'webhook_id' })
  webhookId: string;

  @Column('text', { name: 'provider_event_id', nullable: true })
  providerEventId: string | null;

  @Column('timestamptz', { name: 'received_at' })
  receivedAt: Date;

  @Column('boolean', { name: 'signature_valid' })
  signatureValid: boolean;

  @Column('boolean')
  duplicate: boolean;

  @Column('int', { name: 'status_code' })
  statusCode: number;

  @Column('real', { name: 'duration_ms' })
  durationMs: number;

  @Column('text', { nullable: true })
  error: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
