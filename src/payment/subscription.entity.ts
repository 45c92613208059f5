import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const TERMINAL_SUBSCRIPTION_STATUSES = ['canceled', 'incomplete_expired'] as const;

@Entity('subscriptions')
export class Subscription {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  provider: string;

  @Column('uuid', { name: 'user_id' })
  userId: string;

  @Column('uuid', { name: 'therapist_id', nullable: true })
  therapistId: string | null;

  @Column('text', { name: 'provider_subscription_id' })
  providerSubscriptionId: string;

  @Column('text', { name: 'price_id' })
  priceId: string;

  @Column('text', { name: 'session_frequency' })
  sessionFrequency: string;

  @Column('text')
  status: string;

  @Column('timestamptz', { name: 'current_period_end', nullable: true })
  currentPeriodEnd: Date | null;

  @Column('boolean', { name: 'cancel_at_period_end' })
  cancelAtPeriodEnd: boolean;

  @Column('timestamptz', { name: 'cancel_at', nullable: true })
  cancelAt: Date | null;

  @Column('timestamptz', { name: 'synced_at' })
  syncedAt: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
