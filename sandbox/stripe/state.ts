/**
 * The emulator's in-memory account: objects by id, the event log, and the rendering of objects into responses
 * (`expand[]` of ids into objects, including `includable` fields that only appear when expanded).
 */
import type Stripe from 'stripe';
import { invalidRequest, resourceMissing } from './errors.js';
import { stripeId } from './objects.js';
import type { WebhookDispatcher } from './webhooks.js';

export const DEFAULT_API_VERSION = '2026-10-28.endive';

/** Who caused a change: copied into `event.request` (null id for changes the sandbox makes on its own). */
export interface ChangeOrigin {
  requestId: string | null;
  idempotencyKey: string | null;
  /** Stripe-Version of the request; older versions still show `invoice.payment_intent` */
  apiVersion: string;
}

export const AUTOMATIC: ChangeOrigin = { requestId: null, idempotencyKey: null, apiVersion: DEFAULT_API_VERSION };

type AnyObject = { id: string; object: string };

export class StripeStore {
  readonly customers = new Map<string, Stripe.Customer>();
  readonly paymentIntents = new Map<string, Stripe.PaymentIntent>();
  readonly charges = new Map<string, Stripe.Charge>();
  readonly refunds = new Map<string, Stripe.Refund>();
  readonly products = new Map<string, Stripe.Product>();
  readonly prices = new Map<string, Stripe.Price>();
  readonly subscriptions = new Map<string, Stripe.Subscription>();
  readonly invoices = new Map<string, Stripe.Invoice>();
  readonly invoicePayments = new Map<string, Stripe.InvoicePayment>();
  /** newest last */
  readonly events: Stripe.Event[] = [];
  /** payment intent id -> invoice id, for intents an invoice created */
  readonly invoiceOfPaymentIntent = new Map<string, string>();

  constructor(
    private readonly clockMs: () => number,
    private readonly webhooks: WebhookDispatcher,
    private readonly onEvent: (event: Stripe.Event) => void,
  ) {}

  reset(): void {
    for (const map of [
      this.customers,
      this.paymentIntents,
      this.charges,
      this.refunds,
      this.products,
      this.prices,
      this.subscriptions,
      this.invoices,
      this.invoicePayments,
      this.invoiceOfPaymentIntent,
    ] as Map<string, unknown>[]) {
      map.clear();
    }
    this.events.length = 0;
  }

  /** Unix seconds on the sandbox clock. */
  now(): number {
    return Math.floor(this.clockMs() / 1000);
  }

  /** Records an event for a change and hands it to the webhook dispatcher. */
  emit(type: string, object: AnyObject, origin: ChangeOrigin, previous?: Record<string, unknown>): Stripe.Event {
    const data: { object: unknown; previous_attributes?: Record<string, unknown> } = { object: structuredClone(object) };
    if (previous && Object.keys(previous).length > 0) data.previous_attributes = structuredClone(previous);
    const event = {
      id: stripeId('evt'),
      object: 'event',
      api_version: DEFAULT_API_VERSION,
      created: this.now(),
      data,
      livemode: false,
      pending_webhooks: 0,
      request: { id: origin.requestId, idempotency_key: origin.idempotencyKey },
      type,
    } as unknown as Stripe.Event;
    this.events.push(event);
    this.onEvent(event);
    this.webhooks.dispatch(event);
    return event;
  }

  /** An event as the API shows it now (pending_webhooks is live). */
  eventView(event: Stripe.Event): Stripe.Event {
    return { ...event, pending_webhooks: this.webhooks.pendingCount(event.id) };
  }

  findById(id: string): AnyObject | undefined {
    const prefix = id.slice(0, id.indexOf('_'));
    const map: Record<string, Map<string, AnyObject>> = {
      cus: this.customers,
      pi: this.paymentIntents,
      ch: this.charges,
      re: this.refunds,
      prod: this.products,
      price: this.prices,
      sub: this.subscriptions,
      in: this.invoices,
      inpay: this.invoicePayments,
      evt: new Map(this.events.map((e) => [e.id, e])),
    };
    return map[prefix]?.get(id);
  }

  /** A response body: a deep copy with the requested expansions applied. */
  render<T>(object: T, expand: string[], origin: ChangeOrigin): T {
    const copy = structuredClone(object) as Record<string, unknown>;
    this.addVersionedFields(copy, origin);
    for (const path of expand) {
      const segments = path.split('.');
      if (segments.length > 4) throw invalidRequest('You cannot expand more than 4 levels of a property.', 'expand');
      this.expandPath(copy, segments, origin);
    }
    return copy as T;
  }

  private expandPath(target: Record<string, unknown>, segments: string[], origin: ChangeOrigin): void {
    const [head, ...rest] = segments;
    if (target.object === 'list' && head === 'data' && Array.isArray(target.data)) {
      if (rest.length === 0) throw invalidRequest(`This property cannot be expanded (${head}).`, 'expand');
      for (const item of target.data as Record<string, unknown>[]) this.expandPath(item, rest, origin);
      return;
    }
    if (!(head in target) && !this.includable(target, head)) {
      const hint = target.object === 'list' ? ` You may want to try expanding 'data.${head}' instead.` : '';
      throw invalidRequest(`This property cannot be expanded (${head}).${hint}`, 'expand');
    }
    let value = target[head];
    const included = this.includable(target, head);
    if (included) {
      value = included();
    } else if (typeof value === 'string') {
      const found = this.findById(value);
      if (!found) throw invalidRequest(`This property cannot be expanded (${head}).`, 'expand');
      value = structuredClone(found);
      this.addVersionedFields(value as Record<string, unknown>, origin);
    } else if (value !== null && typeof value !== 'object') {
      throw invalidRequest(`This property cannot be expanded (${head}).`, 'expand');
    }
    target[head] = value;
    if (rest.length > 0 && value !== null && typeof value === 'object') {
      this.expandPath(value as Record<string, unknown>, rest, origin);
    }
  }

  /** Fields Stripe only returns when expanded (`includable` in the OpenAPI spec). */
  private includable(target: Record<string, unknown>, field: string): (() => unknown) | undefined {
    if (target.object === 'charge' && field === 'refunds') {
      const chargeId = target.id as string;
      return () => ({
        object: 'list',
        data: [...this.refunds.values()].filter((r) => r.charge === chargeId).reverse().map((r) => structuredClone(r)),
        has_more: false,
        url: `/v1/charges/${chargeId}/refunds`,
      });
    }
    if (target.object !== 'invoice') return undefined;
    const invoiceId = target.id as string;
    if (field === 'confirmation_secret') {
      return () => {
        const pi = this.paymentIntentOfInvoice(invoiceId);
        return pi && pi.client_secret ? { client_secret: pi.client_secret, type: 'payment_intent' } : null;
      };
    }
    if (field === 'payments') {
      return () => ({
        object: 'list',
        data: [...this.invoicePayments.values()].filter((p) => p.invoice === invoiceId).map((p) => structuredClone(p)),
        has_more: false,
        url: `/v1/invoice_payments?invoice=${invoiceId}`,
      });
    }
    return undefined;
  }

  /** API versions before 2025-03-31 (basil) show the invoice's payment intent as `invoice.payment_intent`. */
  private addVersionedFields(copy: Record<string, unknown>, origin: ChangeOrigin): void {
    if (copy.object === 'invoice' && origin.apiVersion < '2025-03-31') {
      copy.payment_intent = this.paymentIntentOfInvoice(copy.id as string)?.id ?? null;
    }
  }

  paymentIntentOfInvoice(invoiceId: string): Stripe.PaymentIntent | undefined {
    const payment = [...this.invoicePayments.values()].find((p) => p.invoice === invoiceId && p.is_default);
    const piId = payment?.payment.payment_intent;
    return typeof piId === 'string' ? this.paymentIntents.get(piId) : undefined;
  }

  get<T>(map: Map<string, T>, kind: string, id: string, param = 'id'): T {
    const found = map.get(id);
    if (!found) throw resourceMissing(kind, id, param);
    return found;
  }
}
