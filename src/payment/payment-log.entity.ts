import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { bigintNumber } from './entity-columns.js';

/** A row of the seed's payment history (`payment_logs`). */
@Entity('payment_logs')
export class PaymentLog {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'user_id', nullable: true })
  userId: string | null;

  @Column('uuid', { name: 'therapist_id', nullable: true })
  therapistId: string | null;

  @Column('uuid', { name: 'session_id', nullable: true })
  sessionId: string | null;

  @Column('text', { name: 'event_type' })
  eventType: string;

  @Column('bigint', { name: 'amount_minor', nullable: true, transformer: bigintNumber })
  amountMinor: number | null;

  @Column('text', { nullable: true })
  currency: string | null;

  @Column('text')
  status: string;

  @Column('jsonb')
  metadata: Record<string, unknown>;

  @Column('text', { name: 'stripe_event_id', nullable: true })
  stripeEventId: string | null;

  @Column('text', { name: 'dedupe_key' })
  dedupeKey: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
