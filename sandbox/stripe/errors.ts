/**
 * Stripe's error envelope: `{ error: { type, code, decline_code, message, param, doc_url, request_log_url } }`,
 * with the HTTP status the real API uses for each type (400 invalid_request_error, 401 auth, 402 card_error,
 * 404 resource_missing, 429 rate_limit, 5xx api_error).
 */
import type Stripe from 'stripe';

export type StripeErrorType =
  | 'api_error'
  | 'card_error'
  | 'idempotency_error'
  | 'invalid_request_error'
  | 'authentication_error'
  | 'rate_limit_error';

export interface StripeErrorFields {
  type: StripeErrorType;
  message: string;
  code?: string;
  decline_code?: string;
  param?: string;
  charge?: string;
  payment_intent?: Stripe.PaymentIntent;
}

export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly fields: StripeErrorFields,
    /** whether an idempotency key used with this request keeps the error (Stripe keeps results once execution starts) */
    readonly saveIdempotentResult = false,
  ) {
    super(fields.message);
  }
}

export function errorBody(fields: StripeErrorFields, requestId?: string): { error: Record<string, unknown> } {
  const error: Record<string, unknown> = {};
  if (fields.charge) error.charge = fields.charge;
  if (fields.code) error.code = fields.code;
  if (fields.decline_code) error.decline_code = fields.decline_code;
  if (fields.code) error.doc_url = `https://stripe.com/docs/error-codes/${fields.code.replace(/_/g, '-')}`;
  error.message = fields.message;
  if (fields.param) error.param = fields.param;
  if (fields.payment_intent) error.payment_intent = fields.payment_intent;
  if (requestId) error.request_log_url = `https://dashboard.stripe.com/test/logs/${requestId}`;
  error.type = fields.type;
  return { error };
}

export const invalidRequest = (message: string, param?: string, code?: string): StripeApiError =>
  new StripeApiError(400, { type: 'invalid_request_error', message, param, code });

export const missingParam = (param: string): StripeApiError =>
  invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing');

export const resourceMissing = (kind: string, id: string, param = 'id'): StripeApiError =>
  new StripeApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${kind}: '${id}'`,
    param,
  });

export const unexpectedState = (message: string): StripeApiError =>
  invalidRequest(message, undefined, 'payment_intent_unexpected_state');

/** Body the core uses when it answers for the emulator (quota 429s and injected faults). */
export function errorForStatus(status: number, message: string): { body: unknown; headers?: Record<string, string> } {
  if (status === 429) {
    return {
      body: errorBody({
        type: 'invalid_request_error',
        code: 'rate_limit',
        message: message || 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.',
      }),
    };
  }
  if (status === 401) {
    return { body: errorBody({ type: 'invalid_request_error', message: message || 'Invalid API Key provided.' }) };
  }
  if (status === 404) {
    return { body: errorBody({ type: 'invalid_request_error', code: 'resource_missing', message }) };
  }
  if (status >= 500) {
    return { body: errorBody({ type: 'api_error', message: message || 'An unknown error occurred' }) };
  }
  return { body: errorBody({ type: 'invalid_request_error', message }) };
}
