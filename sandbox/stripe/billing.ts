/**
 * Products, prices, subscriptions and their invoices. A subscription created with
 * `payment_behavior=default_incomplete` starts `incomplete` with an open invoice whose payment intent the client
 * confirms (`latest_invoice.confirmation_secret.client_secret`); paying it makes the subscription `active`.
 * Renewals (the sandbox's `advance` control) create a `subscription_cycle` invoice and charge it; a failed renewal
 * makes the subscription `past_due` until a later renewal is paid.
 */
import type Stripe from 'stripe';
import { checkAmount, checkCurrency } from './currency.js';
import { invalidRequest, missingParam, StripeApiError } from './errors.js';
import type { StripeParams } from './form.js';
import { newPrice, newProduct, planOf, stripeId } from './objects.js';
import { applyMetadata, nullableString, optionalArray, optionalBoolean, optionalObject, optionalString, requiredString } from './params.js';
import type { PaymentListener, Payments } from './payments.js';
import { AUTOMATIC, type ChangeOrigin, type StripeStore } from './state.js';

const INTERVALS = ['day', 'week', 'month', 'year'] as const;

function addInterval(start: number, interval: Stripe.Price.Recurring.Interval, count: number): number {
  const d = new Date(start * 1000);
  if (interval === 'day') d.setUTCDate(d.getUTCDate() + count);
  else if (interval === 'week') d.setUTCDate(d.getUTCDate() + 7 * count);
  else if (interval === 'month') d.setUTCMonth(d.getUTCMonth() + count);
  else d.setUTCFullYear(d.getUTCFullYear() + count);
  return Math.floor(d.getTime() / 1000);
}

export class Billing implements PaymentListener {
  constructor(
    private readonly store: StripeStore,
    private readonly payments: Payments,
  ) {
    payments.listener = this;
  }

  createProduct(params: StripeParams, origin: ChangeOrigin): Stripe.Product {
    const product = newProduct(stripeId('prod'), this.store.now(), requiredString(params, 'name'));
    product.description = nullableString(params, 'description') ?? null;
    product.metadata = applyMetadata({}, params);
    const active = optionalBoolean(params, 'active');
    if (active !== undefined) product.active = active;
    this.store.products.set(product.id, product);
    this.store.emit('product.created', product, origin);
    return product;
  }

  createPrice(params: StripeParams, origin: ChangeOrigin): Stripe.Price {
    const currency = checkCurrency(optionalString(params, 'currency'));
    const unitAmount = checkAmount(optionalString(params, 'unit_amount') ?? optionalString(params, 'unit_amount_decimal'), currency, {
      param: 'unit_amount',
      minimum: false,
      allowZero: true,
    });
    let productId = optionalString(params, 'product');
    const productData = optionalObject(params, 'product_data');
    if (!productId && !productData) throw missingParam('product');
    if (productId && !this.store.products.has(productId)) {
      throw new StripeApiError(400, { type: 'invalid_request_error', code: 'resource_missing', param: 'product', message: `No such product: '${productId}'` });
    }
    if (!productId && productData) productId = this.createProduct(productData, origin).id;
    const recurringParams = optionalObject(params, 'recurring');
    let recurring: Stripe.Price.Recurring | null = null;
    if (recurringParams) {
      const interval = recurringParams.interval;
      if (typeof interval !== 'string' || !INTERVALS.includes(interval as never)) {
        throw invalidRequest(`Invalid recurring[interval]: must be one of day, week, month, or year`, 'recurring[interval]');
      }
      const count = Number(typeof recurringParams.interval_count === 'string' ? recurringParams.interval_count : '1');
      recurring = {
        interval: interval as Stripe.Price.Recurring.Interval,
        interval_count: count,
        meter: null,
        trial_period_days: null,
        usage_type: 'licensed',
      };
    }
    const price = newPrice(stripeId('price'), this.store.now(), { currency, product: productId!, unitAmount, recurring });
    price.metadata = applyMetadata({}, params);
    price.nickname = nullableString(params, 'nickname') ?? null;
    price.lookup_key = nullableString(params, 'lookup_key') ?? null;
    this.store.prices.set(price.id, price);
    this.store.emit('price.created', price, origin);
    return price;
  }

  createSubscription(params: StripeParams, origin: ChangeOrigin): Stripe.Subscription {
    const customerId = optionalString(params, 'customer');
    if (!customerId) throw missingParam('customer');
    const customer = this.store.customers.get(customerId);
    if (!customer) {
      throw new StripeApiError(400, { type: 'invalid_request_error', code: 'resource_missing', param: 'customer', message: `No such customer: '${customerId}'` });
    }
    const itemParams = optionalArray(params, 'items');
    if (!itemParams || itemParams.length === 0) throw missingParam('items');
    const prices = itemParams.map((item, i) => {
      const priceId = typeof item === 'object' && !Array.isArray(item) ? item.price : undefined;
      if (typeof priceId !== 'string') throw missingParam(`items[${i}][price]`);
      const price = this.store.prices.get(priceId);
      if (!price) {
        throw new StripeApiError(400, { type: 'invalid_request_error', code: 'resource_missing', param: `items[${i}][price]`, message: `No such price: '${priceId}'` });
      }
      if (!price.recurring) {
        throw invalidRequest(
          'The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`.',
          `items[${i}][price]`,
        );
      }
      const quantityRaw = typeof item === 'object' && !Array.isArray(item) ? item.quantity : undefined;
      const quantity = typeof quantityRaw === 'string' ? Number(quantityRaw) : 1;
      return { price, quantity };
    });
    const currency = prices[0].price.currency;
    if (prices.some((p) => p.price.currency !== currency)) {
      throw invalidRequest('All prices on a subscription must have the same `currency`.', 'items');
    }
    const behavior = optionalString(params, 'payment_behavior') ?? 'allow_incomplete';
    const defaultPm = nullableString(params, 'default_payment_method') ?? null;
    if (behavior !== 'default_incomplete' && !defaultPm) {
      throw invalidRequest(
        'This customer has no attached payment source or default payment method. Please consider adding a default ' +
          'payment method. For more information, visit https://stripe.com/docs/billing/subscriptions/payment-methods-setting#payment-method-priority.',
        undefined,
        'resource_missing',
      );
    }
    const now = this.store.now();
    const id = stripeId('sub');
    const paymentSettings = optionalObject(params, 'payment_settings');
    const saveDefault = paymentSettings?.save_default_payment_method;
    const sub: Stripe.Subscription = {
      id,
      object: 'subscription',
      application: null,
      application_fee_percent: null,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null },
      billing_cycle_anchor: now,
      billing_cycle_anchor_config: null,
      billing_mode: { flexible: null, type: 'flexible', updated_at: now } as unknown as Stripe.Subscription.BillingMode,
      billing_schedules: [],
      billing_thresholds: null,
      cancel_at: null,
      cancel_at_period_end: false,
      canceled_at: null,
      cancellation_details: { comment: null, feedback: null, feedback_option: null, reason: null },
      collection_method: 'charge_automatically',
      created: now,
      currency,
      customer: customer.id,
      customer_account: null,
      days_until_due: null,
      default_payment_method: defaultPm,
      default_source: null,
      default_tax_rates: [],
      description: nullableString(params, 'description') ?? null,
      discounts: [],
      ended_at: null,
      invoice_settings: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: { type: 'self' } },
      items: {
        object: 'list',
        data: prices.map(({ price, quantity }) => ({
          id: stripeId('si'),
          object: 'subscription_item',
          billing_thresholds: null,
          created: now,
          current_period_end: addInterval(now, price.recurring!.interval, price.recurring!.interval_count),
          current_period_start: now,
          current_trial: null,
          discounts: [],
          metadata: {},
          plan: planOf(price),
          price: structuredClone(price),
          quantity,
          subscription: id,
          tax_rates: [],
        })),
        has_more: false,
        url: `/v1/subscription_items?subscription=${id}`,
      },
      latest_invoice: null,
      livemode: false,
      managed_payments: null,
      metadata: applyMetadata({}, params),
      next_pending_invoice_item_invoice: null,
      on_behalf_of: null,
      pause_collection: null,
      payment_settings: {
        payment_method_options: null,
        payment_method_types: null,
        save_default_payment_method: saveDefault === 'on_subscription' ? 'on_subscription' : 'off',
      },
      pending_invoice_item_interval: null,
      pending_setup_intent: null,
      pending_update: null,
      schedule: null,
      start_date: now,
      status: 'incomplete',
      test_clock: null,
      transfer_data: null,
      trial_end: null,
      trial_settings: { end_behavior: { billing_cycle_anchor: 'preserve', missing_payment_method: 'create_invoice' } } as Stripe.Subscription.TrialSettings,
      trial_start: null,
    };
    if (optionalBoolean(params, 'cancel_at_period_end')) this.applyCancelAtPeriodEnd(sub, true);
    this.store.subscriptions.set(sub.id, sub);
    this.store.emit('customer.subscription.created', sub, origin);
    const invoice = this.createInvoice(sub, 'subscription_create', now, now, origin);
    if (invoice.amount_due === 0) this.markInvoicePaid(invoice, origin);
    if (invoice.amount_due > 0 && behavior !== 'default_incomplete') {
      const pi = this.store.paymentIntentOfInvoice(invoice.id)!;
      pi.payment_method = defaultPm;
      const declined = this.payments.confirm(pi, {}, origin);
      if (declined && behavior === 'error_if_incomplete') throw declined;
    }
    return sub;
  }

  /** Creates, finalizes and (for a positive amount) attaches a payment intent to a subscription invoice. */
  private createInvoice(
    sub: Stripe.Subscription,
    reason: 'subscription_create' | 'subscription_cycle',
    periodStart: number,
    periodEnd: number,
    origin: ChangeOrigin,
  ): Stripe.Invoice {
    const customer = this.store.customers.get(sub.customer as string)!;
    const now = this.store.now();
    const id = stripeId('in');
    const lines: Stripe.InvoiceLineItem[] = sub.items.data.map((item) => {
      const amount = (item.price.unit_amount ?? 0) * (item.quantity ?? 1);
      return {
        id: stripeId('il'),
        object: 'line_item',
        amount,
        currency: sub.currency,
        description: `${item.quantity ?? 1} × ${this.store.products.get(item.price.product as string)?.name ?? 'Subscription'} (at ${item.price.unit_amount} / ${item.price.recurring?.interval})`,
        discount_amounts: [],
        discountable: true,
        discounts: [],
        invoice: id,
        livemode: false,
        metadata: {},
        parent: {
          invoice_item_details: null,
          subscription_item_details: {
            invoice_item: null,
            proration: false,
            proration_details: { credited_items: null },
            subscription: sub.id,
            subscription_item: item.id,
          },
          type: 'subscription_item_details',
        },
        period: { end: item.current_period_end, start: item.current_period_start },
        pretax_credit_amounts: [],
        pricing: {
          price_details: { price: item.price.id, product: item.price.product as string },
          type: 'price_details',
          unit_amount_decimal: item.price.unit_amount_decimal,
        },
        quantity: item.quantity ?? 1,
        quantity_decimal: String(item.quantity ?? 1) as unknown as Stripe.InvoiceLineItem['quantity_decimal'],
        subscription: sub.id,
        subtotal: amount,
        taxes: [],
      };
    });
    const total = lines.reduce((sum, l) => sum + l.amount, 0);
    const sequence = customer.next_invoice_sequence ?? 1;
    customer.next_invoice_sequence = sequence + 1;
    const invoice: Stripe.Invoice = {
      id,
      object: 'invoice',
      account_country: 'US',
      account_name: 'Sandbox Practice',
      account_tax_ids: null,
      amount_due: total,
      amount_overpaid: 0,
      amount_paid: 0,
      amount_remaining: total,
      amount_shipping: 0,
      application: null,
      attempt_count: 0,
      attempted: false,
      auto_advance: true,
      automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
      automatically_finalizes_at: null,
      billing_reason: reason,
      collection_method: 'charge_automatically',
      created: now,
      currency: sub.currency,
      custom_fields: null,
      customer: customer.id,
      customer_account: null,
      customer_address: customer.address ?? null,
      customer_email: customer.email,
      customer_name: customer.name ?? null,
      customer_phone: customer.phone ?? null,
      customer_shipping: null,
      customer_tax_exempt: 'none',
      customer_tax_ids: [],
      default_payment_method: null,
      default_source: null,
      default_tax_rates: [],
      description: null,
      discounts: [],
      due_date: null,
      effective_at: now,
      ending_balance: 0,
      footer: null,
      from_invoice: null,
      hosted_invoice_url: `https://invoice.stripe.com/i/acct_sandbox/test_${id}`,
      invoice_pdf: `https://pay.stripe.com/invoice/acct_sandbox/test_${id}/pdf`,
      issuer: { type: 'self' },
      last_finalization_error: null,
      latest_revision: null,
      lines: { object: 'list', data: lines, has_more: false, url: `/v1/invoices/${id}/lines` },
      livemode: false,
      metadata: {},
      next_payment_attempt: null,
      number: `${customer.invoice_prefix}-${String(sequence).padStart(4, '0')}`,
      on_behalf_of: null,
      parent: {
        quote_details: null,
        subscription_details: { metadata: { ...sub.metadata }, subscription: sub.id },
        type: 'subscription_details',
      },
      payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
      period_end: periodEnd,
      period_start: periodStart,
      post_payment_credit_notes_amount: 0,
      pre_payment_credit_notes_amount: 0,
      receipt_number: null,
      rendering: null,
      shipping_cost: null,
      shipping_details: null,
      starting_balance: 0,
      statement_descriptor: null,
      status: 'open',
      status_transitions: { finalized_at: now, marked_uncollectible_at: null, paid_at: null, voided_at: null },
      subtotal: total,
      subtotal_excluding_tax: total,
      test_clock: null,
      total,
      total_discount_amounts: [],
      total_excluding_tax: total,
      total_pretax_credit_amounts: [],
      total_taxes: [],
      webhooks_delivered_at: now,
    };
    this.store.invoices.set(invoice.id, invoice);
    sub.latest_invoice = invoice.id;
    const draft = { ...invoice, status: 'draft' as const, number: null, status_transitions: { ...invoice.status_transitions, finalized_at: null } };
    this.store.emit('invoice.created', draft, origin);
    if (total > 0) {
      const { pi } = this.payments.create(
        {
          amount: String(total),
          currency: sub.currency,
          customer: customer.id,
          description: reason === 'subscription_create' ? 'Subscription creation' : 'Subscription update',
          ...(sub.payment_settings?.save_default_payment_method === 'on_subscription' ? { setup_future_usage: 'off_session' } : {}),
        },
        origin,
        invoice.id,
      );
      const payment: Stripe.InvoicePayment = {
        id: stripeId('inpay'),
        object: 'invoice_payment',
        amount_paid: null,
        amount_requested: total,
        created: now,
        currency: sub.currency,
        invoice: invoice.id,
        is_default: true,
        livemode: false,
        payment: { payment_intent: pi.id, type: 'payment_intent' },
        status: 'open',
        status_transitions: { canceled_at: null, paid_at: null },
      };
      this.store.invoicePayments.set(payment.id, payment);
    }
    this.store.emit('invoice.finalized', invoice, origin);
    return invoice;
  }

  private markInvoicePaid(invoice: Stripe.Invoice, origin: ChangeOrigin): void {
    const now = this.store.now();
    invoice.status = 'paid';
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    invoice.attempted = invoice.amount_due > 0 ? true : invoice.attempted;
    invoice.attempt_count += invoice.amount_due > 0 ? 1 : 0;
    invoice.next_payment_attempt = null;
    invoice.status_transitions.paid_at = now;
    const payment = [...this.store.invoicePayments.values()].find((p) => p.invoice === invoice.id && p.is_default);
    if (payment) {
      payment.status = 'paid';
      payment.amount_paid = invoice.amount_due;
      payment.status_transitions.paid_at = now;
      this.store.emit('invoice_payment.paid', payment, origin);
    }
    this.store.emit('invoice.paid', invoice, origin);
    this.store.emit('invoice.payment_succeeded', invoice, origin);
    const sub = this.subscriptionOf(invoice);
    if (sub && ['incomplete', 'past_due', 'unpaid'].includes(sub.status)) {
      const previous: Record<string, unknown> = { status: sub.status };
      sub.status = 'active';
      const pi = this.store.paymentIntentOfInvoice(invoice.id);
      if (pi && sub.payment_settings?.save_default_payment_method === 'on_subscription' && !sub.default_payment_method) {
        previous.default_payment_method = null;
        sub.default_payment_method = typeof pi.payment_method === 'string' ? pi.payment_method : null;
      }
      this.store.emit('customer.subscription.updated', sub, origin, previous);
    }
  }

  private subscriptionOf(invoice: Stripe.Invoice): Stripe.Subscription | undefined {
    const subId = invoice.parent?.subscription_details?.subscription;
    return typeof subId === 'string' ? this.store.subscriptions.get(subId) : undefined;
  }

  paymentSucceeded(pi: Stripe.PaymentIntent, origin: ChangeOrigin): void {
    const invoiceId = this.store.invoiceOfPaymentIntent.get(pi.id);
    const invoice = invoiceId ? this.store.invoices.get(invoiceId) : undefined;
    if (invoice && invoice.status === 'open') this.markInvoicePaid(invoice, origin);
  }

  paymentFailed(pi: Stripe.PaymentIntent, origin: ChangeOrigin): void {
    const invoiceId = this.store.invoiceOfPaymentIntent.get(pi.id);
    const invoice = invoiceId ? this.store.invoices.get(invoiceId) : undefined;
    if (!invoice || invoice.status !== 'open') return;
    invoice.attempted = true;
    invoice.attempt_count += 1;
    const sub = this.subscriptionOf(invoice);
    invoice.next_payment_attempt = invoice.billing_reason === 'subscription_cycle' ? this.store.now() + 3 * 86400 : null;
    this.store.emit('invoice.payment_failed', invoice, origin);
    if (sub && sub.status === 'active') {
      sub.status = 'past_due';
      this.store.emit('customer.subscription.updated', sub, origin, { status: 'active' });
    }
  }

  private applyCancelAtPeriodEnd(sub: Stripe.Subscription, value: boolean): void {
    sub.cancel_at_period_end = value;
    sub.cancel_at = value ? Math.min(...sub.items.data.map((i) => i.current_period_end)) : null;
    sub.canceled_at = value ? this.store.now() : null;
    sub.cancellation_details = { comment: null, feedback: null, feedback_option: null, reason: value ? 'cancellation_requested' : null };
  }

  updateSubscription(sub: Stripe.Subscription, params: StripeParams, origin: ChangeOrigin): Stripe.Subscription {
    const before = structuredClone(sub);
    const terminal = sub.status === 'canceled' || sub.status === 'incomplete_expired';
    const allowedWhenTerminal = new Set(['metadata', 'cancellation_details', 'expand']);
    if (terminal && Object.keys(params).some((k) => !allowedWhenTerminal.has(k))) {
      throw invalidRequest('A canceled subscription can only update its cancellation_details and metadata.');
    }
    const cape = optionalBoolean(params, 'cancel_at_period_end');
    if (cape !== undefined && cape !== sub.cancel_at_period_end) this.applyCancelAtPeriodEnd(sub, cape);
    sub.metadata = applyMetadata(sub.metadata, params);
    const description = nullableString(params, 'description');
    if (description !== undefined) sub.description = description;
    const pm = nullableString(params, 'default_payment_method');
    if (pm !== undefined) sub.default_payment_method = pm;
    const details = optionalObject(params, 'cancellation_details');
    if (details && sub.cancellation_details) {
      if (typeof details.comment === 'string') sub.cancellation_details.comment = details.comment || null;
      if (typeof details.feedback === 'string') {
        sub.cancellation_details.feedback = (details.feedback || null) as Stripe.Subscription.CancellationDetails.Feedback | null;
      }
    }
    const previous = changedFields(before, sub);
    if (Object.keys(previous).length > 0) this.store.emit('customer.subscription.updated', sub, origin, previous);
    return sub;
  }

  cancelSubscription(sub: Stripe.Subscription, params: StripeParams, origin: ChangeOrigin): Stripe.Subscription {
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
      throw invalidRequest(`No such subscription: '${sub.id}'`, 'id', 'resource_missing');
    }
    const details = optionalObject(params, 'cancellation_details');
    const now = this.store.now();
    sub.status = 'canceled';
    sub.canceled_at = now;
    sub.ended_at = now;
    sub.cancel_at_period_end = false;
    sub.cancellation_details = {
      comment: typeof details?.comment === 'string' ? details.comment : null,
      feedback: (typeof details?.feedback === 'string' ? details.feedback : null) as Stripe.Subscription.CancellationDetails.Feedback | null,
      feedback_option: null,
      reason: 'cancellation_requested',
    };
    this.store.emit('customer.subscription.deleted', sub, origin);
    return sub;
  }

  /**
   * The sandbox's stand-in for a test clock: an `incomplete` subscription gets its first invoice paid or failed; any
   * other live subscription moves to its next period (or ends, when set to cancel at period end) and its renewal
   * invoice is paid or fails.
   */
  advance(sub: Stripe.Subscription, outcome: 'paid' | 'failed', declineCode?: string): Stripe.Subscription {
    const origin = AUTOMATIC;
    if (sub.status === 'canceled' || sub.status === 'incomplete_expired') {
      throw invalidRequest(`Subscription ${sub.id} has status ${sub.status} and cannot advance.`);
    }
    if (sub.status === 'incomplete') {
      const pi = this.store.paymentIntentOfInvoice(sub.latest_invoice as string);
      if (pi) this.payments.settle(pi, outcome === 'paid' ? 'succeed' : 'fail', origin, declineCode);
      return sub;
    }
    const periodEnd = Math.min(...sub.items.data.map((i) => i.current_period_end));
    if (sub.cancel_at_period_end) {
      sub.status = 'canceled';
      sub.ended_at = periodEnd;
      this.store.emit('customer.subscription.deleted', sub, origin);
      return sub;
    }
    const previousItems = structuredClone(sub.items);
    const periodStart = Math.min(...sub.items.data.map((i) => i.current_period_start));
    for (const item of sub.items.data) {
      const recurring = item.price.recurring!;
      item.current_period_start = item.current_period_end;
      item.current_period_end = addInterval(item.current_period_end, recurring.interval, recurring.interval_count);
    }
    const previousLatest = sub.latest_invoice;
    const invoice = this.createInvoice(sub, 'subscription_cycle', periodStart, periodEnd, origin);
    this.store.emit('customer.subscription.updated', sub, origin, { items: previousItems, latest_invoice: previousLatest });
    const pi = this.store.paymentIntentOfInvoice(invoice.id);
    if (pi) {
      pi.payment_method = typeof sub.default_payment_method === 'string' ? sub.default_payment_method : stripeId('pm');
      this.payments.settle(pi, outcome === 'paid' ? 'succeed' : 'fail', origin, declineCode ?? 'insufficient_funds');
    }
    return sub;
  }
}

/** Stripe's previous_attributes: the old values of the top-level fields that changed. */
function changedFields(before: object, after: object): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  for (const key of Object.keys(b)) {
    if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) previous[key] = a[key];
  }
  return previous;
}

export { changedFields };
