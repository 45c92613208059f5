import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { JobHandler, JobQueue } from '../jobs/index.js';
import { PaymentStateService } from './payment-state.service.js';
import { PaymentWebhooksService } from './payment-webhooks.service.js';
import { PaymentProvider } from './providers/payment-provider.js';

export const RECONCILE_QUEUE = 'payment-reconcile';

export interface ReconcileReport {
  payments: number;
  subscriptions: number;
  requeuedEvents: number;
  failures: number;
}

/**
 * The safety net under webhooks: payments and subscriptions still pending after PAYMENT_RECONCILE_AFTER_SECONDS
 * are read from Stripe and applied like an event would be, so a lost webhook cannot leave a session unpaid.
 */
@Injectable()
export class PaymentReconciliationService implements OnApplicationBootstrap {
  private readonly logger = new Logger(PaymentReconciliationService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly provider: PaymentProvider,
    private readonly state: PaymentStateService,
    private readonly webhooks: PaymentWebhooksService,
    private readonly jobs: JobQueue,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    if (!this.config.stripe.secretKey) return;
    await this.jobs.schedule(RECONCILE_QUEUE, this.config.stripe.reconcileCron, {});
  }

  @JobHandler({ queue: RECONCILE_QUEUE, retryLimit: 2, retryDelaySeconds: 30, retryBackoff: true, policy: 'singleton' })
  async handleReconcileJob(): Promise<void> {
    const report = await this.reconcile();
    if (report.payments + report.subscriptions + report.requeuedEvents > 0) this.logger.log(report, 'payment reconciliation');
  }

  async reconcile(): Promise<ReconcileReport> {
    const threshold = this.config.stripe.reconcileAfterSeconds;
    const report: ReconcileReport = { payments: 0, subscriptions: 0, requeuedEvents: 0, failures: 0 };
    const payments = (await this.dataSource.query(
      `SELECT provider_payment_id FROM payments
       WHERE provider = $1 AND status NOT IN ('succeeded', 'canceled') AND updated_at <= now() - make_interval(secs => $2)
       ORDER BY updated_at LIMIT 200`,
      [this.provider.name, threshold],
    )) as Array<{ provider_payment_id: string }>;
    for (const { provider_payment_id: id } of payments) {
      try {
        const readAt = new Date();
        const pi = await this.provider.getPaymentIntent(id);
        const once = pi.status === 'succeeded' || pi.status === 'canceled';
        await this.state.applyPaymentIntent(this.provider.name, pi, readAt, once ? {
          eventId: null,
          facts: {
            eventType: pi.status === 'succeeded' ? 'payment_succeeded' : 'payment_canceled',
            amountMinor: pi.amountMinor,
            currency: pi.currency,
            status: pi.status,
            metadata: { paymentIntentId: pi.id, sessionId: pi.metadata.sessionId ?? null },
            once: true,
          },
        } : undefined);
        // updated_at moves even when nothing changed, so a still-pending intent waits another threshold.
        await this.dataSource.query(`UPDATE payments SET updated_at = now() WHERE provider_payment_id = $1`, [id]);
        report.payments++;
      } catch (error) {
        report.failures++;
        this.logger.warn(`reconciling payment ${id} failed: ${(error as Error).message}`);
      }
    }
    const subscriptions = (await this.dataSource.query(
      `SELECT provider_subscription_id FROM subscriptions
       WHERE provider = $1 AND status IN ('incomplete', 'past_due', 'unpaid') AND updated_at <= now() - make_interval(secs => $2)
       ORDER BY updated_at LIMIT 200`,
      [this.provider.name, threshold],
    )) as Array<{ provider_subscription_id: string }>;
    for (const { provider_subscription_id: id } of subscriptions) {
      try {
        const readAt = new Date();
        await this.state.applySubscription(this.provider.name, await this.provider.getSubscription(id), readAt);
        await this.dataSource.query(`UPDATE subscriptions SET updated_at = now() WHERE provider_subscription_id = $1`, [id]);
        report.subscriptions++;
      } catch (error) {
        report.failures++;
        this.logger.warn(`reconciling subscription ${id} failed: ${(error as Error).message}`);
      }
    }
    report.requeuedEvents = await this.webhooks.requeueStranded(Math.max(threshold, 60));
    return report;
  }
}
