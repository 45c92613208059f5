/**
 * Payment intents, charges and refunds: the status machine requires_payment_method -> requires_action |
 * processing -> succeeded | requires_payment_method (declined) and canceled, with the events Stripe sends for each
 * step and the charge a confirmation creates.
 */
import type Stripe from 'stripe';
import { checkAmount, checkCurrency, formatAmount } from './currency.js';
import { invalidRequest, StripeApiError, unexpectedState } from './errors.js';
import type { StripeParams } from './form.js';
import { newCharge, newPaymentIntent, stripeId } from './objects.js';
import {
  applyMetadata,
  nullableString,
  optionalArray,
  optionalBoolean,
  optionalInteger,
  optionalObject,
  optionalString,
} from './params.js';
import type { ChangeOrigin, StripeStore } from './state.js';

export type SettleOutcome = 'succeed' | 'fail' | 'require_action' | 'processing';

/** What the rest of the account (invoices) needs to hear about a payment intent's result. */
export interface PaymentListener {
  paymentSucceeded(pi: Stripe.PaymentIntent, origin: ChangeOrigin): void;
  paymentFailed(pi: Stripe.PaymentIntent, origin: ChangeOrigin): void;
}

const DECLINES: Record<string, { code: string; message: string }> = {
  generic_decline: { code: 'card_declined', message: 'Your card was declined.' },
  insufficient_funds: { code: 'card_declined', message: 'Your card has insufficient funds.' },
  lost_card: { code: 'card_declined', message: 'Your card was declined.' },
  stolen_card: { code: 'card_declined', message: 'Your card was declined.' },
  fraudulent: { code: 'card_declined', message: 'Your card was declined.' },
  card_velocity_exceeded: { code: 'card_declined', message: 'Your card was declined for making repeated attempts too frequently or exceeding its amount limit.' },
  expired_card: { code: 'expired_card', message: 'Your card has expired.' },
  incorrect_cvc: { code: 'incorrect_cvc', message: "Your card's security code is incorrect." },
  processing_error: { code: 'processing_error', message: 'An error occurred while processing your card. Try again in a little bit.' },
};

/** Stripe's test payment methods (docs.stripe.com/testing) and what confirming with them does. */
function outcomeOfTestPaymentMethod(pm: string): { outcome: SettleOutcome; declineCode?: string } {
  const lower = pm.toLowerCase();
  if (lower.includes('authenticationrequired') || lower.includes('threedsecure2required')) return { outcome: 'require_action' };
  if (lower.includes('insufficientfunds')) return { outcome: 'fail', declineCode: 'insufficient_funds' };
  if (lower.includes('expiredcard')) return { outcome: 'fail', declineCode: 'expired_card' };
  if (lower.includes('incorrectcvc')) return { outcome: 'fail', declineCode: 'incorrect_cvc' };
  if (lower.includes('fraudulent')) return { outcome: 'fail', declineCode: 'fraudulent' };
  if (lower.includes('lostcard')) return { outcome: 'fail', declineCode: 'lost_card' };
  if (lower.includes('stolencard')) return { outcome: 'fail', declineCode: 'stolen_card' };
  if (lower.includes('processingerror')) return { outcome: 'fail', declineCode: 'processing_error' };
  if (lower.includes('declined')) return { outcome: 'fail', declineCode: 'generic_decline' };
  return { outcome: 'succeed' };
}

const CONFIRMABLE: Stripe.PaymentIntent.Status[] = ['requires_payment_method', 'requires_confirmation', 'requires_action'];
const CANCELABLE: Stripe.PaymentIntent.Status[] = [
  'requires_payment_method',
  'requires_capture',
  'requires_confirmation',
  'requires_action',
  'processing',
];

export class Payments {
  listener?: PaymentListener;

  constructor(private readonly store: StripeStore) {}

  customerParam(params: StripeParams): string | null {
    const customer = nullableString(params, 'customer');
    if (!customer) return null;
    if (!this.store.customers.has(customer)) {
      throw new StripeApiError(400, {
        type: 'invalid_request_error',
        code: 'resource_missing',
        param: 'customer',
        message: `No such customer: '${customer}'`,
      });
    }
    return customer;
  }

  create(params: StripeParams, origin: ChangeOrigin, invoiceId?: string): { pi: Stripe.PaymentIntent; error?: StripeApiError } {
    const currency = checkCurrency(optionalString(params, 'currency'));
    const amount = checkAmount(optionalString(params, 'amount'), currency);
    const customer = this.customerParam(params);
    const pi = newPaymentIntent(stripeId('pi'), this.store.now(), { amount, currency, customer });
    this.applyUpdatableFields(pi, params);
    const apm = optionalObject(params, 'automatic_payment_methods');
    const types = optionalArray(params, 'payment_method_types');
    if (apm && apm.enabled === 'true') {
      pi.automatic_payment_methods = { enabled: true };
      if (typeof apm.allow_redirects === 'string') {
        pi.automatic_payment_methods.allow_redirects = apm.allow_redirects as 'always' | 'never';
      }
    } else if (types) {
      pi.payment_method_types = types.filter((t): t is string => typeof t === 'string');
    }
    const capture = optionalString(params, 'capture_method');
    if (capture) pi.capture_method = capture as Stripe.PaymentIntent.CaptureMethod;
    if (invoiceId) this.store.invoiceOfPaymentIntent.set(pi.id, invoiceId);
    this.store.paymentIntents.set(pi.id, pi);
    this.store.emit('payment_intent.created', pi, origin);
    if (optionalBoolean(params, 'confirm')) {
      const error = this.confirm(pi, params, origin, true);
      return { pi, error };
    }
    return { pi };
  }

  private applyUpdatableFields(pi: Stripe.PaymentIntent, params: StripeParams): void {
    pi.metadata = applyMetadata(pi.metadata, params);
    const description = nullableString(params, 'description');
    if (description !== undefined) pi.description = description;
    const receiptEmail = nullableString(params, 'receipt_email');
    if (receiptEmail !== undefined) pi.receipt_email = receiptEmail;
    const pm = nullableString(params, 'payment_method');
    if (pm !== undefined) pi.payment_method = pm;
    const sfu = nullableString(params, 'setup_future_usage');
    if (sfu !== undefined) pi.setup_future_usage = sfu as Stripe.PaymentIntent.SetupFutureUsage | null;
    const statementSuffix = nullableString(params, 'statement_descriptor_suffix');
    if (statementSuffix !== undefined) pi.statement_descriptor_suffix = statementSuffix;
  }

  update(pi: Stripe.PaymentIntent, params: StripeParams): Stripe.PaymentIntent {
    const amountRaw = optionalString(params, 'amount');
    const currencyRaw = optionalString(params, 'currency');
    if ((amountRaw !== undefined || currencyRaw !== undefined) && !CONFIRMABLE.includes(pi.status)) {
      throw unexpectedState(
        `This PaymentIntent's amount could not be updated because it has a status of ${pi.status}. You may only ` +
          'update the amount of a PaymentIntent with one of the following statuses: requires_payment_method, ' +
          'requires_confirmation, requires_action.',
      );
    }
    const currency = currencyRaw !== undefined ? checkCurrency(currencyRaw) : pi.currency;
    const amount = amountRaw !== undefined ? checkAmount(amountRaw, currency) : checkAmount(String(pi.amount), currency);
    if (params.customer !== undefined) {
      const customer = this.customerParam(params);
      if (pi.customer && customer !== pi.customer && pi.status !== 'requires_payment_method') {
        throw invalidRequest('You cannot update the customer of a PaymentIntent once it has been set.', 'customer');
      }
      pi.customer = customer;
    }
    pi.amount = amount;
    pi.currency = currency;
    this.applyUpdatableFields(pi, params);
    return pi;
  }

  /** Confirms; returns the card error a declined confirmation answers with (402), if any. */
  confirm(pi: Stripe.PaymentIntent, params: StripeParams, origin: ChangeOrigin, creating = false): StripeApiError | undefined {
    if (!CONFIRMABLE.includes(pi.status)) {
      if (pi.status === 'succeeded') {
        throw unexpectedState('You cannot confirm this PaymentIntent because it has already succeeded after being previously confirmed.');
      }
      throw unexpectedState(
        `You cannot confirm this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one ` +
          'of the following statuses may be confirmed: requires_confirmation, requires_action, requires_payment_method.',
      );
    }
    if (!creating) this.applyUpdatableFields(pi, params);
    const pm = typeof pi.payment_method === 'string' ? pi.payment_method : null;
    if (!pm) {
      throw unexpectedState(
        "You cannot confirm this PaymentIntent because it's missing a payment method. You can either update the " +
          'PaymentIntent with a payment method and then confirm it again, or confirm it again directly with a payment method.',
      );
    }
    const { outcome, declineCode } = outcomeOfTestPaymentMethod(pm);
    return this.settle(pi, outcome, origin, declineCode);
  }

  /** Moves a payment intent to the outcome a real card network would produce. */
  settle(pi: Stripe.PaymentIntent, outcome: SettleOutcome, origin: ChangeOrigin, declineCode = 'generic_decline'): StripeApiError | undefined {
    const allowed: Stripe.PaymentIntent.Status[] = [...CONFIRMABLE, 'processing'];
    if (!allowed.includes(pi.status)) {
      throw unexpectedState(`This PaymentIntent cannot be settled because it has a status of ${pi.status}.`);
    }
    if (pi.payment_method === null) pi.payment_method = stripeId('pm');
    if (outcome === 'require_action') {
      pi.status = 'requires_action';
      pi.next_action = {
        type: 'use_stripe_sdk',
        use_stripe_sdk: { type: 'three_d_secure_redirect', stripe_js: `https://hooks.stripe.com/3d_secure_2/hosted?payment_intent=${pi.id}` },
      };
      this.store.emit('payment_intent.requires_action', pi, origin);
      return undefined;
    }
    if (outcome === 'processing') {
      pi.status = 'processing';
      pi.next_action = null;
      pi.processing = { type: 'card', card: {} };
      this.store.emit('payment_intent.processing', pi, origin);
      return undefined;
    }
    if (outcome === 'succeed') {
      const charge = newCharge(stripeId('ch'), this.store.now(), pi, { paid: true });
      this.store.charges.set(charge.id, charge);
      pi.status = 'succeeded';
      pi.amount_received = pi.amount;
      pi.latest_charge = charge.id;
      pi.last_payment_error = null;
      pi.next_action = null;
      pi.processing = null;
      this.store.emit('charge.succeeded', charge, origin);
      this.store.emit('payment_intent.succeeded', pi, origin);
      this.listener?.paymentSucceeded(pi, origin);
      return undefined;
    }
    const decline = DECLINES[declineCode] ?? { code: 'card_declined', message: 'Your card was declined.' };
    const charge = newCharge(stripeId('ch'), this.store.now(), pi, {
      paid: false,
      failureCode: decline.code,
      declineCode,
      failureMessage: decline.message,
    });
    this.store.charges.set(charge.id, charge);
    const failedMethod = pi.payment_method;
    pi.status = 'requires_payment_method';
    pi.latest_charge = charge.id;
    pi.next_action = null;
    pi.processing = null;
    pi.payment_method = null;
    pi.last_payment_error = {
      charge: charge.id,
      code: decline.code,
      decline_code: declineCode,
      doc_url: `https://stripe.com/docs/error-codes/${decline.code.replace(/_/g, '-')}`,
      message: decline.message,
      payment_method_type: 'card',
      type: 'card_error',
    };
    void failedMethod;
    this.store.emit('charge.failed', charge, origin);
    this.store.emit('payment_intent.payment_failed', pi, origin);
    this.listener?.paymentFailed(pi, origin);
    return new StripeApiError(
      402,
      {
        type: 'card_error',
        code: decline.code,
        decline_code: declineCode,
        message: decline.message,
        charge: charge.id,
        payment_intent: structuredClone(pi),
      },
      true,
    );
  }

  cancel(pi: Stripe.PaymentIntent, params: StripeParams, origin: ChangeOrigin): Stripe.PaymentIntent {
    if (this.store.invoiceOfPaymentIntent.has(pi.id)) {
      throw unexpectedState(
        'You cannot cancel this PaymentIntent because it was created by an invoice. Void the invoice instead.',
      );
    }
    if (!CANCELABLE.includes(pi.status)) {
      throw unexpectedState(
        `You cannot cancel this PaymentIntent because it has a status of ${pi.status}. Only a PaymentIntent with one ` +
          `of the following statuses may be canceled: ${CANCELABLE.join(', ')}.`,
      );
    }
    this.markCanceled(pi, (optionalString(params, 'cancellation_reason') ?? null) as Stripe.PaymentIntent.CancellationReason | null, origin);
    return pi;
  }

  markCanceled(pi: Stripe.PaymentIntent, reason: Stripe.PaymentIntent.CancellationReason | null, origin: ChangeOrigin): void {
    pi.status = 'canceled';
    pi.canceled_at = this.store.now();
    pi.cancellation_reason = reason;
    pi.next_action = null;
    this.store.emit('payment_intent.canceled', pi, origin);
  }

  refund(params: StripeParams, origin: ChangeOrigin): Stripe.Refund {
    const piId = optionalString(params, 'payment_intent');
    const chargeId = optionalString(params, 'charge');
    if (!piId && !chargeId) {
      throw invalidRequest('One of the following params should be provided for this request: payment_intent or charge.');
    }
    let charge: Stripe.Charge | undefined;
    if (piId) {
      const pi = this.store.paymentIntents.get(piId);
      if (!pi) {
        throw new StripeApiError(400, { type: 'invalid_request_error', code: 'resource_missing', param: 'payment_intent', message: `No such payment_intent: '${piId}'` });
      }
      const latest = typeof pi.latest_charge === 'string' ? this.store.charges.get(pi.latest_charge) : undefined;
      if (pi.status !== 'succeeded' || !latest) {
        throw invalidRequest(`This PaymentIntent (${pi.id}) does not have a successful charge to refund.`, 'payment_intent');
      }
      charge = latest;
    } else {
      charge = this.store.charges.get(chargeId!);
      if (!charge) {
        throw new StripeApiError(400, { type: 'invalid_request_error', code: 'resource_missing', param: 'charge', message: `No such charge: '${chargeId}'` });
      }
    }
    if (charge.refunded) {
      throw invalidRequest(`Charge ${charge.id} has already been refunded.`, undefined, 'charge_already_refunded');
    }
    const remaining = charge.amount_captured - charge.amount_refunded;
    const requested = optionalInteger(params, 'amount');
    const amount = requested === undefined ? remaining : checkAmount(String(requested), charge.currency, { minimum: false });
    if (amount > remaining) {
      throw invalidRequest(
        `Refund amount (${formatAmount(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatAmount(remaining, charge.currency)})`,
        'amount',
      );
    }
    const refund: Stripe.Refund = {
      id: stripeId('re'),
      object: 'refund',
      amount,
      balance_transaction: stripeId('txn'),
      charge: charge.id,
      created: this.store.now(),
      currency: charge.currency,
      customer: typeof charge.customer === 'string' ? charge.customer : null,
      customer_account: null,
      destination_details: { card: { reference_status: 'pending', reference_type: 'acquirer_reference_number', type: 'refund' }, type: 'card' },
      metadata: applyMetadata({}, params),
      payment_intent: typeof charge.payment_intent === 'string' ? charge.payment_intent : null,
      payment_method: charge.payment_method,
      reason: (optionalString(params, 'reason') ?? null) as Stripe.Refund.Reason | null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'succeeded',
      transfer_reversal: null,
    };
    this.store.refunds.set(refund.id, refund);
    const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded >= charge.amount_captured;
    this.store.emit('refund.created', refund, origin);
    this.store.emit('charge.refunded', charge, origin, previous.refunded === charge.refunded ? { amount_refunded: previous.amount_refunded } : previous);
    return refund;
  }
}
