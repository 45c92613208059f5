import type Stripe from 'stripe';
import type { ProviderEvent, ProviderPaymentIntent, ProviderRefund, ProviderSubscription } from '../payment-provider.js';

const idOf = (value: string | { id: string } | null | undefined): string | null =>
  value == null ? null : typeof value === 'string' ? value : value.id;

const fromUnix = (seconds: number | null | undefined): Date | null => (seconds ? new Date(seconds * 1000) : null);

export function toPaymentIntent(pi: Stripe.PaymentIntent): ProviderPaymentIntent {
  const charge = typeof pi.latest_charge === 'object' && pi.latest_charge !== null ? pi.latest_charge : null;
  return {
    id: pi.id,
    clientSecret: pi.client_secret,
    status: pi.status,
    amountMinor: pi.amount,
    currency: pi.currency,
    amountRefundedMinor: charge?.amount_refunded ?? 0,
    metadata: { ...pi.metadata },
  };
}

export function toSubscription(sub: Stripe.Subscription): ProviderSubscription {
  const items = sub.items?.data ?? [];
  const periodEnds = items.map((item) => item.current_period_end).filter((value): value is number => typeof value === 'number');
  const invoice = typeof sub.latest_invoice === 'object' ? sub.latest_invoice : null;
  return {
    id: sub.id,
    status: sub.status,
    priceId: items[0]?.price?.id ?? null,
    customerId: idOf(sub.customer) ?? '',
    currentPeriodEnd: periodEnds.length > 0 ? fromUnix(Math.min(...periodEnds)) : null,
    cancelAtPeriodEnd: sub.cancel_at_period_end,
    cancelAt: fromUnix(sub.cancel_at),
    metadata: { ...sub.metadata },
    clientSecret: invoice?.confirmation_secret?.client_secret ?? null,
  };
}

export function toRefund(refund: Stripe.Refund): ProviderRefund {
  return { id: refund.id, amountMinor: refund.amount, currency: refund.currency, status: refund.status ?? 'pending' };
}

export function toEvent(event: Stripe.Event): ProviderEvent {
  const data = event.data as { object: unknown; previous_attributes?: Record<string, unknown> };
  return {
    id: event.id,
    type: event.type,
    created: event.created,
    object: data.object as Record<string, unknown>,
    previousAttributes: data.previous_attributes,
  };
}
