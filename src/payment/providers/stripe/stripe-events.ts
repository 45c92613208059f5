import type { PaymentEventFacts } from '../payment-provider.js';

type Obj = Record<string, any>;

const PAYMENT_INTENT_EVENTS: Record<string, { eventType: string; once?: boolean }> = {
  'payment_intent.succeeded': { eventType: 'payment_succeeded', once: true },
  'payment_intent.payment_failed': { eventType: 'payment_failed' },
  'payment_intent.canceled': { eventType: 'payment_canceled', once: true },
  'payment_intent.processing': { eventType: 'payment_processing' },
  'payment_intent.requires_action': { eventType: 'payment_requires_action' },
};

const SUBSCRIPTION_EVENTS: Record<string, string> = {
  'customer.subscription.created': 'subscription_created',
  'customer.subscription.updated': 'subscription_updated',
  'customer.subscription.deleted': 'subscription_canceled',
};

const NONE: PaymentEventFacts = { subject: 'none', objectId: null, history: null };

const idOf = (value: unknown): string | null =>
  typeof value === 'string' ? value : value && typeof value === 'object' && typeof (value as Obj).id === 'string' ? (value as Obj).id : null;

/** Stripe's event vocabulary -> what it means for a practice's payments. */
export function describeStripeEvent(event: Obj): PaymentEventFacts {
  const type = String(event.type);
  const object: Obj = event.data?.object ?? {};
  const previous: Obj = event.data?.previous_attributes ?? {};

  const intentEvent = PAYMENT_INTENT_EVENTS[type];
  if (intentEvent) {
    return {
      subject: 'payment',
      objectId: idOf(object),
      history: {
        eventType: intentEvent.eventType,
        amountMinor: object.amount ?? null,
        currency: object.currency ?? null,
        status: String(object.status),
        metadata: { paymentIntentId: object.id, sessionId: object.metadata?.sessionId ?? null },
        once: intentEvent.once,
      },
    };
  }
  if (type === 'charge.refunded') {
    const refunded = Number(object.amount_refunded ?? 0) - Number(previous.amount_refunded ?? 0);
    return {
      subject: 'payment',
      objectId: idOf(object.payment_intent),
      history: {
        eventType: 'payment_refunded',
        amountMinor: refunded > 0 ? refunded : Number(object.amount_refunded ?? 0),
        currency: object.currency ?? null,
        status: object.refunded ? 'refunded' : 'partially_refunded',
        metadata: { paymentIntentId: idOf(object.payment_intent), chargeId: object.id, sessionId: object.metadata?.sessionId ?? null },
      },
    };
  }
  if (type === 'invoice.paid' || type === 'invoice.payment_failed') {
    // API versions since 2025-03-31 name the subscription under parent; older ones at the top level.
    const subscriptionId = idOf(object.parent?.subscription_details?.subscription) ?? idOf(object.subscription);
    if (!subscriptionId) return NONE;
    const paid = type === 'invoice.paid';
    return {
      subject: 'subscription',
      objectId: subscriptionId,
      history: {
        eventType: paid ? 'invoice_paid' : 'invoice_payment_failed',
        amountMinor: paid ? (object.amount_paid ?? null) : (object.amount_due ?? null),
        currency: object.currency ?? null,
        status: paid ? 'paid' : 'failed',
        metadata: { invoiceId: object.id, subscriptionId },
      },
    };
  }
  const subscriptionEvent = SUBSCRIPTION_EVENTS[type];
  if (subscriptionEvent) {
    return {
      subject: 'subscription',
      objectId: idOf(object),
      history: {
        eventType: subscriptionEvent,
        amountMinor: null,
        currency: object.currency ?? null,
        status: String(object.status),
        metadata: { subscriptionId: object.id, therapistId: object.metadata?.therapistId ?? null },
      },
    };
  }
  return NONE;
}
