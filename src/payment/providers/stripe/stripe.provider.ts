import { Injectable } from '@nestjs/common';
import Stripe from 'stripe';
import { AppException } from '../../../common/app-exception.js';
import { AppConfig } from '../../../config/app-config.js';
import { PaymentProvider, type CallOptions, type ProviderEvent } from '../payment-provider.js';
import { parseStripeError } from './stripe-error.parser.js';
import { describeStripeEvent } from './stripe-events.js';
import { toEvent, toPaymentIntent, toRefund, toSubscription } from './stripe.mapper.js';

/** Builds the SDK client; a base URL override (self-hosted gateway, the sandbox) keeps Stripe's paths. */
function createClient(config: AppConfig['stripe']): Stripe | undefined {
  if (!config.secretKey) return undefined;
  const base = config.apiBaseUrl ? new URL(config.apiBaseUrl) : undefined;
  return new Stripe(config.secretKey, {
    maxNetworkRetries: 2,
    timeout: 20_000,
    telemetry: false,
    ...(base && {
      host: base.hostname,
      port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
      protocol: base.protocol.replace(':', '') as 'http' | 'https',
    }),
  });
}

@Injectable()
export class StripePaymentProvider extends PaymentProvider {
  readonly name = 'stripe';

  private readonly client: Stripe | undefined;

  constructor(private readonly config: AppConfig) {
    super();
    this.client = createClient(config.stripe);
  }

  private get stripe(): Stripe {
    if (!this.client) throw new AppException('PROVIDER_NOT_CONFIGURED', 'Stripe is not configured (STRIPE_SECRET_KEY)');
    return this.client;
  }

  private async call<T>(run: (stripe: Stripe) => Promise<T>): Promise<T> {
    const stripe = this.stripe;
    try {
      return await run(stripe);
    } catch (error) {
      throw parseStripeError(error);
    }
  }

  createCustomer(input: { userId: string; email: string }, options: CallOptions = {}) {
    return this.call(async (stripe) => {
      const customer = await stripe.customers.create(
        { email: input.email, metadata: { userId: input.userId } },
        { idempotencyKey: options.idempotencyKey },
      );
      return customer.id;
    });
  }

  createPaymentIntent(
    input: { customerId: string; amountMinor: number; currency: string; metadata: Record<string, string> },
    options: CallOptions = {},
  ) {
    return this.call(async (stripe) =>
      toPaymentIntent(
        await stripe.paymentIntents.create(
          {
            amount: input.amountMinor,
            currency: input.currency,
            customer: input.customerId,
            metadata: input.metadata,
            automatic_payment_methods: { enabled: true },
          },
          { idempotencyKey: options.idempotencyKey },
        ),
      ),
    );
  }

  getPaymentIntent(id: string) {
    return this.call(async (stripe) => toPaymentIntent(await stripe.paymentIntents.retrieve(id, { expand: ['latest_charge'] })));
  }

  cancelPaymentIntent(id: string, options: CallOptions = {}) {
    return this.call(async (stripe) =>
      toPaymentIntent(await stripe.paymentIntents.cancel(id, { cancellation_reason: 'abandoned' }, { idempotencyKey: options.idempotencyKey })),
    );
  }

  createSubscription(input: { customerId: string; priceId: string; metadata: Record<string, string> }, options: CallOptions = {}) {
    return this.call(async (stripe) =>
      toSubscription(
        await stripe.subscriptions.create(
          {
            customer: input.customerId,
            items: [{ price: input.priceId }],
            payment_behavior: 'default_incomplete',
            payment_settings: { save_default_payment_method: 'on_subscription' },
            metadata: input.metadata,
            expand: ['latest_invoice.confirmation_secret'],
          },
          { idempotencyKey: options.idempotencyKey },
        ),
      ),
    );
  }

  getSubscription(id: string) {
    return this.call(async (stripe) => toSubscription(await stripe.subscriptions.retrieve(id)));
  }

  cancelSubscriptionAtPeriodEnd(id: string, options: CallOptions = {}) {
    return this.call(async (stripe) =>
      toSubscription(await stripe.subscriptions.update(id, { cancel_at_period_end: true }, { idempotencyKey: options.idempotencyKey })),
    );
  }

  refund(input: { paymentIntentId: string; amountMinor?: number }, options: CallOptions = {}) {
    return this.call(async (stripe) =>
      toRefund(
        await stripe.refunds.create(
          { payment_intent: input.paymentIntentId, ...(input.amountMinor !== undefined && { amount: input.amountMinor }) },
          { idempotencyKey: options.idempotencyKey },
        ),
      ),
    );
  }

  describeEvent(payload: Record<string, unknown>) {
    return describeStripeEvent(payload);
  }

  /**
   * Any configured secret may match: during a rotation Stripe signs with the old and the new one. The signature is
   * checked exactly as `constructEvent` does (raw bytes, 5-minute tolerance); only the JSON parse is shared.
   */
  verifyWebhook(rawBody: Buffer, signatureHeader: string | undefined, parsedBody?: unknown): ProviderEvent {
    const secrets = this.config.stripe.webhookSecrets;
    if (secrets.length === 0) throw new AppException('PROVIDER_NOT_CONFIGURED', 'Stripe webhooks are not configured (STRIPE_WEBHOOK_SECRET)');
    if (!signatureHeader) throw new AppException('WEBHOOK_ERROR', 'Missing Stripe-Signature header');
    const { signature } = this.stripe.webhooks;
    if (!signature) throw new Error('The Stripe SDK has no webhook signature helper');
    let lastError: unknown;
    for (const secret of secrets) {
      try {
        signature.verifyHeader(rawBody, signatureHeader, secret, this.stripe.webhooks.DEFAULT_TOLERANCE);
        const event = isObject(parsedBody) ? parsedBody : (JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>);
        // As constructEvent: a v2 "thin" event notification is not a webhook event.
        if (event.object === 'v2.core.event') throw new Error('A thin event notification is not a webhook event');
        return toEvent(event as unknown as Stripe.Event);
      } catch (error) {
        lastError = error;
        // A payload that verified but is not JSON is not a signature problem: stop trying other secrets.
        if (!(error instanceof Stripe.errors.StripeSignatureVerificationError)) break;
      }
    }
    throw new AppException('WEBHOOK_ERROR', 'Webhook signature verification failed', { cause: lastError });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
