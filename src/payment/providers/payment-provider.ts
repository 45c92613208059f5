/** Our view of a provider's payment intent. */
export interface ProviderPaymentIntent {
  id: string;
  clientSecret: string | null;
  status: string;
  amountMinor: number;
  currency: string;
  amountRefundedMinor: number;
  metadata: Record<string, string>;
}

export interface ProviderSubscription {
  id: string;
  status: string;
  priceId: string | null;
  customerId: string;
  currentPeriodEnd: Date | null;
  cancelAtPeriodEnd: boolean;
  cancelAt: Date | null;
  metadata: Record<string, string>;
  /** for an incomplete subscription: what the client confirms the first payment with */
  clientSecret: string | null;
}

export interface ProviderRefund {
  id: string;
  amountMinor: number;
  currency: string;
  status: string;
}

/** A verified inbound event, in the provider's own shape under `object`. */
export interface ProviderEvent {
  id: string;
  type: string;
  /** unix seconds */
  created: number;
  object: Record<string, unknown>;
  previousAttributes?: Record<string, unknown>;
}

/** What an event means for us, independent of the provider's event vocabulary. */
export interface PaymentEventFacts {
  /** which local object the event concerns; 'none' for events we do not act on */
  subject: 'payment' | 'subscription' | 'none';
  /** the provider id of that object (payment intent, subscription) */
  objectId: string | null;
  /** the history row the event produces, if any */
  history: {
    eventType: string;
    amountMinor: number | null;
    currency: string | null;
    status: string;
    metadata: Record<string, unknown>;
    /** a state reached once per object (succeeded, canceled): deduped per object, not per event */
    once?: boolean;
  } | null;
}

/** Why a provider call failed, in terms the service and the job layer decide on. */
export type ProviderFailure =
  | 'TEMPORARY'
  | 'RATE_LIMITED'
  | 'AUTH_REVOKED'
  | 'NOT_FOUND'
  | 'INVALID_REQUEST'
  | 'CARD_DECLINED'
  | 'IDEMPOTENCY_CONFLICT'
  | 'UNKNOWN';

export interface CallOptions {
  /** forwarded to the provider so a retried request is applied once */
  idempotencyKey?: string;
}

/**
 * The contract every payment provider implements; the abstract class is its own DI token. Methods throw
 * `PaymentProviderError` (an AppException), never HTTP exceptions.
 */
export abstract class PaymentProvider {
  abstract readonly name: string;

  abstract createCustomer(input: { userId: string; email: string }, options?: CallOptions): Promise<string>;

  abstract createPaymentIntent(
    input: { customerId: string; amountMinor: number; currency: string; metadata: Record<string, string> },
    options?: CallOptions,
  ): Promise<ProviderPaymentIntent>;

  abstract getPaymentIntent(id: string): Promise<ProviderPaymentIntent>;

  /** Fails (INVALID_REQUEST) once the intent is processing or settled: it can no longer be canceled. */
  abstract cancelPaymentIntent(id: string, options?: CallOptions): Promise<ProviderPaymentIntent>;

  abstract createSubscription(
    input: { customerId: string; priceId: string; metadata: Record<string, string> },
    options?: CallOptions,
  ): Promise<ProviderSubscription>;

  abstract getSubscription(id: string): Promise<ProviderSubscription>;

  abstract cancelSubscriptionAtPeriodEnd(id: string, options?: CallOptions): Promise<ProviderSubscription>;

  abstract refund(input: { paymentIntentId: string; amountMinor?: number }, options?: CallOptions): Promise<ProviderRefund>;

  /** Reads a stored event (the verified payload) into what it means for us. */
  abstract describeEvent(payload: Record<string, unknown>): PaymentEventFacts;

  /**
   * Verifies the signature over the exact bytes received; throws WEBHOOK_ERROR when no configured secret matches.
   * `parsedBody`, when given, is what a JSON parser made of these same bytes; it is used instead of parsing again.
   */
  abstract verifyWebhook(rawBody: Buffer, signatureHeader: string | undefined, parsedBody?: unknown): ProviderEvent;
}
