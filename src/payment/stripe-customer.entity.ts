import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The Stripe customer of a user: created once, reused for every payment and subscription. */
@Entity('stripe_customers')
export class StripeCustomer {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId: string;

  @Column('text', { name: 'stripe_customer_id' })
  stripeCustomerId: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
