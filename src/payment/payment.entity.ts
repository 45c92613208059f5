import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { bigintNumber } from './entity-columns.js';

/** Provider payment-intent statuses that never change again (refunds are tracked beside the status). */
export const TERMINAL_PAYMENT_STATUSES = ['succeeded', 'canceled'] as const;

/** One payment intent for a therapy session; a session may have several (a declined one, then a new one). */
@Entity('payments')
export class Payment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  provider: string;

  @Column('uuid', { name: 'session_id' })
  sessionId: string;

  @Column('uuid', { name: 'payer_id' })
  payerId: string;

  @Column('uuid', { name: 'therapist_id' })
  therapistId: string;

  @Column('uuid', { name: 'client_id' })
  clientId: string;

  @Column('text', { name: 'provider_payment_id' })
  providerPaymentId: string;

  @Column('bigint', { name: 'amount_minor', transformer: bigintNumber })
  amountMinor: number;

  @Column('text')
  currency: string;

  @Column('text')
  status: string;

  /**
   * What the payer's browser confirms this intent with; never logged, only handed back to the payer. Sealed with
   * SecretBox, bound to the intent (see PaymentService.secretAad); a plain or unopenable value counts as none.
   */
  @Column('text', { name: 'client_secret', nullable: true, select: false })
  clientSecret: string | null;

  @Column('bigint', { name: 'amount_refunded_minor', transformer: bigintNumber })
  amountRefundedMinor: number;

  /** when the state stored here was read from the provider: an older read never overwrites a newer one */
  @Column('timestamptz', { name: 'synced_at' })
  syncedAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
