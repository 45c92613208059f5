import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { TherapySession } from '../therapy-sessions/therapy-session.entity.js';
import { Payment, TERMINAL_PAYMENT_STATUSES } from './payment.entity.js';
import type { PaymentEventFacts, ProviderPaymentIntent, ProviderSubscription } from './providers/payment-provider.js';
import { Subscription, TERMINAL_SUBSCRIPTION_STATUSES } from './subscription.entity.js';

export type SessionPaymentStatus = 'unpaid' | 'pending' | 'paid' | 'partially_refunded' | 'refunded';

export interface HistoryEntry {
  facts: NonNullable<PaymentEventFacts['history']>;
  /** the provider event that produced it (null when reconciliation found the change) */
  eventId: string | null;
}

const isTerminal = (list: readonly string[], status: string) => list.includes(status);

/** What a session's payments add up to. */
export function sessionPaymentStatus(payments: Pick<Payment, 'status' | 'amountMinor' | 'amountRefundedMinor'>[]): SessionPaymentStatus {
  const paid = payments.find((p) => p.status === 'succeeded');
  if (paid) {
    if (paid.amountRefundedMinor >= paid.amountMinor) return 'refunded';
    return paid.amountRefundedMinor > 0 ? 'partially_refunded' : 'paid';
  }
  return payments.some((p) => !isTerminal(TERMINAL_PAYMENT_STATUSES, p.status)) ? 'pending' : 'unpaid';
}

/**
 * Applies provider state to local rows, whoever read it (webhook job, reconciliation, an endpoint). Two rules make
 * out-of-order and concurrent application converge on the provider's state: a read older than the one already
 * stored (synced_at) changes nothing, and a terminal status (succeeded, canceled) never changes again.
 */
@Injectable()
export class PaymentStateService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async applyPaymentIntent(provider: string, pi: ProviderPaymentIntent, readAt: Date, history?: HistoryEntry): Promise<Payment | null> {
    return this.dataSource.transaction(async (manager) => {
      let payment = await manager
        .getRepository(Payment)
        .createQueryBuilder('p')
        .setLock('pessimistic_write')
        .where('p.provider_payment_id = :id', { id: pi.id })
        .getOne();
      if (!payment) payment = await this.adoptPaymentIntent(manager, provider, pi, readAt);
      if (!payment) return null;
      if (payment.syncedAt.getTime() <= readAt.getTime()) {
        if (!isTerminal(TERMINAL_PAYMENT_STATUSES, payment.status)) payment.status = pi.status;
        payment.amountRefundedMinor = Math.max(payment.amountRefundedMinor, pi.amountRefundedMinor);
        payment.syncedAt = readAt;
        await manager.update(Payment, payment.id, {
          status: payment.status,
          amountRefundedMinor: payment.amountRefundedMinor,
          syncedAt: readAt,
        });
      }
      await this.updateSessionStatus(manager, payment.sessionId);
      if (history) {
        await this.recordHistory(manager, history, pi.id, {
          userId: payment.payerId,
          therapistId: payment.therapistId,
          sessionId: payment.sessionId,
        });
      }
      return payment;
    });
  }

  /** A payment intent we created but have no row for (its webhook overtook our insert): its metadata names the session. */
  private async adoptPaymentIntent(manager: EntityManager, provider: string, pi: ProviderPaymentIntent, readAt: Date) {
    const { sessionId, payerId } = pi.metadata;
    if (!sessionId || !payerId) return null;
    const session = await manager.findOneBy(TherapySession, { id: sessionId });
    if (!session) return null;
    await manager
      .createQueryBuilder()
      .insert()
      .into(Payment)
      .values({
        provider,
        sessionId,
        payerId,
        therapistId: session.therapistId,
        clientId: session.clientId,
        providerPaymentId: pi.id,
        amountMinor: pi.amountMinor,
        currency: pi.currency,
        status: pi.status,
        amountRefundedMinor: pi.amountRefundedMinor,
        syncedAt: new Date(0),
      })
      .orIgnore()
      .execute();
    return manager
      .getRepository(Payment)
      .createQueryBuilder('p')
      .setLock('pessimistic_write')
      .where('p.provider_payment_id = :id', { id: pi.id })
      .getOne();
  }

  async applySubscription(provider: string, sub: ProviderSubscription, readAt: Date, history?: HistoryEntry): Promise<Subscription | null> {
    return this.dataSource.transaction(async (manager) => {
      const lock = () =>
        manager
          .getRepository(Subscription)
          .createQueryBuilder('s')
          .setLock('pessimistic_write')
          .where('s.provider_subscription_id = :id', { id: sub.id })
          .getOne();
      let row = await lock();
      if (!row && sub.metadata.userId) {
        await manager
          .createQueryBuilder()
          .insert()
          .into(Subscription)
          .values({
            provider,
            userId: sub.metadata.userId,
            therapistId: sub.metadata.therapistId || null,
            providerSubscriptionId: sub.id,
            priceId: sub.priceId ?? '',
            sessionFrequency: sub.metadata.sessionFrequency ?? 'weekly',
            status: sub.status,
            currentPeriodEnd: sub.currentPeriodEnd,
            cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
            cancelAt: sub.cancelAt,
            syncedAt: new Date(0),
          })
          .orIgnore()
          .execute();
        row = await lock();
      }
      if (!row) return null;
      if (row.syncedAt.getTime() <= readAt.getTime()) {
        const status = isTerminal(TERMINAL_SUBSCRIPTION_STATUSES, row.status) ? row.status : sub.status;
        Object.assign(row, {
          status,
          currentPeriodEnd: sub.currentPeriodEnd,
          cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
          cancelAt: sub.cancelAt,
          priceId: sub.priceId ?? row.priceId,
          syncedAt: readAt,
        });
        await manager.update(Subscription, row.id, {
          status,
          currentPeriodEnd: sub.currentPeriodEnd,
          cancelAtPeriodEnd: sub.cancelAtPeriodEnd,
          cancelAt: sub.cancelAt,
          priceId: row.priceId,
          syncedAt: readAt,
        });
      }
      if (history) await this.recordHistory(manager, history, sub.id, { userId: row.userId, therapistId: row.therapistId, sessionId: null });
      return row;
    });
  }

  /** One history row per event, or per object for states reached once; a repeat is a no-op. */
  private async recordHistory(
    manager: EntityManager,
    { facts, eventId }: HistoryEntry,
    objectId: string,
    owner: { userId: string; therapistId: string | null; sessionId: string | null },
  ): Promise<void> {
    const dedupeKey = facts.once || !eventId ? `${objectId}:${facts.eventType}` : eventId;
    await manager.query(
      `INSERT INTO payment_logs (user_id, therapist_id, session_id, event_type, amount_minor, currency, status, metadata, stripe_event_id, dedupe_key)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (dedupe_key) DO NOTHING`,
      [
        owner.userId,
        owner.therapistId,
        owner.sessionId,
        facts.eventType,
        facts.amountMinor,
        facts.currency,
        facts.status,
        JSON.stringify({ ...facts.metadata, ...(eventId ? {} : { source: 'reconciliation' }) }),
        eventId,
        dedupeKey,
      ],
    );
  }

  async updateSessionStatus(manager: EntityManager, sessionId: string): Promise<SessionPaymentStatus> {
    const payments = await manager.find(Payment, { where: { sessionId } });
    const status = sessionPaymentStatus(payments);
    await manager.query(`UPDATE therapy_sessions SET payment_status = $2 WHERE id = $1 AND payment_status <> $2`, [sessionId, status]);
    return status;
  }
}
