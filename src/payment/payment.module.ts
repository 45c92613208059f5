import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ConnectionsModule } from '../connections/connections.module.js';
import { TherapySessionsModule } from '../therapy-sessions/therapy-sessions.module.js';
import { IdempotencyRecord } from './idempotency-record.entity.js';
import { IdempotencyService } from './idempotency.service.js';
import { PaymentLog } from './payment-log.entity.js';
import { PaymentReconciliationService } from './payment-reconciliation.service.js';
import { PaymentStateService } from './payment-state.service.js';
import { PaymentWebhooksController } from './payment-webhooks.controller.js';
import { PaymentWebhooksService } from './payment-webhooks.service.js';
import { PaymentController } from './payment.controller.js';
import { Payment } from './payment.entity.js';
import { PaymentService } from './payment.service.js';
import { PaymentProvider } from './providers/payment-provider.js';
import { PAYMENT_PROVIDERS, PaymentProviderRegistry } from './providers/payment-provider.registry.js';
import { StripePaymentProvider } from './providers/stripe/stripe.provider.js';
import { SessionIntentLock } from './session-intent-lock.js';
import { StripeCustomer } from './stripe-customer.entity.js';
import { Subscription } from './subscription.entity.js';
import { WebhookDeliveryLog } from './webhook-delivery-log.entity.js';
import { WebhookEvent } from './webhook-event.entity.js';

/** Stripe payments for sessions, subscriptions, refunds, history and webhooks applied exactly once. */
@Module({
  imports: [
    TypeOrmModule.forFeature([Payment, Subscription, StripeCustomer, PaymentLog, WebhookEvent, WebhookDeliveryLog, IdempotencyRecord]),
    TherapySessionsModule,
    // for SecretBox: client secrets are sealed at rest like every other secret
    ConnectionsModule,
  ],
  controllers: [PaymentController, PaymentWebhooksController],
  providers: [
    StripePaymentProvider,
    // Adding a provider: its folder, one entry here, and it is reachable by name through the registry.
    { provide: PAYMENT_PROVIDERS, useFactory: (stripe: StripePaymentProvider) => [stripe], inject: [StripePaymentProvider] },
    PaymentProviderRegistry,
    // Practices bill through one provider; Stripe is it.
    { provide: PaymentProvider, useFactory: (registry: PaymentProviderRegistry) => registry.get('stripe'), inject: [PaymentProviderRegistry] },
    IdempotencyService,
    PaymentStateService,
    SessionIntentLock,
    PaymentService,
    PaymentWebhooksService,
    PaymentReconciliationService,
  ],
  exports: [PaymentService, PaymentReconciliationService, PaymentWebhooksService],
})
export class PaymentModule {}
