import Stripe from 'stripe';
import { PaymentProviderError } from '../payment-provider.error.js';
import type { ProviderFailure } from '../payment-provider.js';

/**
 * Stripe's errors (stripe-node error classes, from the `{error: {type, code, ...}}` body) become a provider failure
 * with a safe message. Decided on the error's type and code, never on its message text.
 */
export function parseStripeError(error: unknown): PaymentProviderError {
  if (error instanceof PaymentProviderError) return error;
  if (!(error instanceof Stripe.errors.StripeError)) {
    return new PaymentProviderError('UNKNOWN', 'Stripe could not be reached', undefined, error);
  }
  const failure = failureOf(error);
  const retryAfter = Number(error.headers?.['retry-after']);
  return new PaymentProviderError(failure, safeMessage(failure, error), Number.isFinite(retryAfter) ? retryAfter : undefined, error);
}

function failureOf(error: Stripe.errors.StripeError): ProviderFailure {
  switch (error.type) {
    case 'StripeCardError':
      return 'CARD_DECLINED';
    case 'StripeRateLimitError':
      return 'RATE_LIMITED';
    case 'StripeAuthenticationError':
    case 'StripePermissionError':
      return 'AUTH_REVOKED';
    case 'StripeIdempotencyError':
      return 'IDEMPOTENCY_CONFLICT';
    case 'StripeConnectionError':
    case 'StripeAPIError':
      return 'TEMPORARY';
    case 'StripeInvalidRequestError':
      if (error.code === 'resource_missing') return 'NOT_FOUND';
      if (error.statusCode === 429 || error.code === 'lock_timeout') return 'RATE_LIMITED';
      return 'INVALID_REQUEST';
    default:
      return (error.statusCode ?? 500) >= 500 ? 'TEMPORARY' : 'UNKNOWN';
  }
}

function safeMessage(failure: ProviderFailure, error: Stripe.errors.StripeError): string {
  switch (failure) {
    case 'CARD_DECLINED':
    case 'INVALID_REQUEST':
    case 'NOT_FOUND':
      // Stripe's own messages for these are meant for the payer/developer and hold no secrets.
      return `Stripe: ${error.message}`;
    case 'RATE_LIMITED':
      return 'Stripe is rate limiting requests; try again shortly';
    case 'AUTH_REVOKED':
      return 'Stripe refused our credentials';
    case 'IDEMPOTENCY_CONFLICT':
      return 'Stripe saw this idempotency key with different parameters';
    default:
      return 'Stripe failed to process the request';
  }
}
