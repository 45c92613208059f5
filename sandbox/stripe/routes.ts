/** The Stripe v1 endpoints the emulator serves, wired to the account state. */
import type { FastifyInstance } from 'fastify';
import type Stripe from 'stripe';
import type { Billing } from './billing.js';
import { invalidRequest } from './errors.js';
import type { StripeParams } from './form.js';
import type { StripeCall, StripeHttp } from './http.js';
import { newCustomer, stripeId } from './objects.js';
import { applyMetadata, expandList, nullableString, optionalInteger, optionalObject, optionalString } from './params.js';
import type { Payments } from './payments.js';
import type { StripeStore } from './state.js';
import type { WebhookDispatcher } from './webhooks.js';

interface Listed {
  id: string;
  created: number;
}

/** Stripe's list envelope and cursor pagination (newest first, `limit` 1..100, `starting_after` / `ending_before`). */
function page<T extends Listed>(items: T[], params: StripeParams, url: string): Stripe.ApiList<T> {
  const limit = optionalInteger(params, 'limit') ?? 10;
  if (limit < 1 || limit > 100) throw invalidRequest('This value must be between 1 and 100.', 'limit');
  let sorted = [...items].reverse();
  const after = optionalString(params, 'starting_after');
  const before = optionalString(params, 'ending_before');
  if (after) {
    const i = sorted.findIndex((x) => x.id === after);
    if (i === -1) throw invalidRequest(`No such object: '${after}'`, 'starting_after', 'resource_missing');
    sorted = sorted.slice(i + 1);
  } else if (before) {
    const i = sorted.findIndex((x) => x.id === before);
    if (i === -1) throw invalidRequest(`No such object: '${before}'`, 'ending_before', 'resource_missing');
    sorted = sorted.slice(0, i).slice(-limit);
  }
  const created = params.created;
  if (created !== undefined) sorted = sorted.filter((x) => matchesRange(x.created, created));
  return { object: 'list', data: sorted.slice(0, limit), has_more: sorted.length > limit, url };
}

function matchesRange(value: number, range: StripeParams[string]): boolean {
  if (typeof range === 'string') return value === Number(range);
  if (Array.isArray(range)) return true;
  const n = (k: string) => (typeof range[k] === 'string' ? Number(range[k]) : undefined);
  const [gt, gte, lt, lte] = [n('gt'), n('gte'), n('lt'), n('lte')];
  return (
    (gt === undefined || value > gt) &&
    (gte === undefined || value >= gte) &&
    (lt === undefined || value < lt) &&
    (lte === undefined || value <= lte)
  );
}

export function registerStripeRoutes(
  app: FastifyInstance,
  deps: { http: StripeHttp; store: StripeStore; payments: Payments; billing: Billing; webhooks: WebhookDispatcher },
): void {
  const { http, store, payments, billing, webhooks } = deps;
  const render = <T>(object: T, call: StripeCall) => store.render(object, expandList(call.params), call.origin);

  // Customers
  http.route(app, 'POST', '/v1/customers', (call) => {
    const customer = newCustomer(stripeId('cus'), store.now());
    applyCustomerFields(customer, call.params);
    store.customers.set(customer.id, customer);
    store.emit('customer.created', customer, call.origin);
    return render(customer, call);
  });
  http.route(app, 'GET', '/v1/customers/:id', (call) => render(store.get(store.customers, 'customer', call.path.id), call));
  http.route(app, 'POST', '/v1/customers/:id', (call) => {
    const customer = store.get(store.customers, 'customer', call.path.id);
    const before = structuredClone(customer);
    applyCustomerFields(customer, call.params);
    const previous = diff(before, customer);
    if (Object.keys(previous).length > 0) store.emit('customer.updated', customer, call.origin, previous);
    return render(customer, call);
  });
  http.route(app, 'GET', '/v1/customers', (call) => {
    const email = optionalString(call.params, 'email');
    const all = [...store.customers.values()].filter((c) => email === undefined || c.email === email);
    return render(page(all, call.params, '/v1/customers'), call);
  });

  // Payment intents
  http.route(app, 'POST', '/v1/payment_intents', (call) => {
    const { pi, error } = payments.create(call.params, call.origin);
    if (error) throw error;
    return render(pi, call);
  });
  http.route(app, 'GET', '/v1/payment_intents/:id', (call) =>
    render(store.get(store.paymentIntents, 'payment_intent', call.path.id), call),
  );
  http.route(app, 'POST', '/v1/payment_intents/:id', (call) =>
    render(payments.update(store.get(store.paymentIntents, 'payment_intent', call.path.id), call.params), call),
  );
  http.route(app, 'POST', '/v1/payment_intents/:id/confirm', (call) => {
    const pi = store.get(store.paymentIntents, 'payment_intent', call.path.id);
    const error = payments.confirm(pi, call.params, call.origin);
    if (error) throw error;
    return render(pi, call);
  });
  http.route(app, 'POST', '/v1/payment_intents/:id/cancel', (call) =>
    render(payments.cancel(store.get(store.paymentIntents, 'payment_intent', call.path.id), call.params, call.origin), call),
  );
  http.route(app, 'GET', '/v1/payment_intents', (call) => {
    const customer = optionalString(call.params, 'customer');
    const all = [...store.paymentIntents.values()].filter((p) => customer === undefined || p.customer === customer);
    return render(page(all, call.params, '/v1/payment_intents'), call);
  });

  // Charges
  http.route(app, 'GET', '/v1/charges/:id', (call) => render(store.get(store.charges, 'charge', call.path.id), call));
  http.route(app, 'GET', '/v1/charges', (call) => {
    const pi = optionalString(call.params, 'payment_intent');
    const customer = optionalString(call.params, 'customer');
    const all = [...store.charges.values()].filter(
      (c) => (pi === undefined || c.payment_intent === pi) && (customer === undefined || c.customer === customer),
    );
    return render(page(all, call.params, '/v1/charges'), call);
  });

  // Refunds
  http.route(app, 'POST', '/v1/refunds', (call) => render(payments.refund(call.params, call.origin), call));
  http.route(app, 'GET', '/v1/refunds/:id', (call) => render(store.get(store.refunds, 'refund', call.path.id), call));
  http.route(app, 'GET', '/v1/refunds', (call) => {
    const pi = optionalString(call.params, 'payment_intent');
    const charge = optionalString(call.params, 'charge');
    const all = [...store.refunds.values()].filter(
      (r) => (pi === undefined || r.payment_intent === pi) && (charge === undefined || r.charge === charge),
    );
    return render(page(all, call.params, '/v1/refunds'), call);
  });

  // Products and prices
  http.route(app, 'POST', '/v1/products', (call) => render(billing.createProduct(call.params, call.origin), call));
  http.route(app, 'GET', '/v1/products/:id', (call) => render(store.get(store.products, 'product', call.path.id), call));
  http.route(app, 'POST', '/v1/prices', (call) => render(billing.createPrice(call.params, call.origin), call));
  http.route(app, 'GET', '/v1/prices/:id', (call) => render(store.get(store.prices, 'price', call.path.id), call));

  // Subscriptions and invoices
  http.route(app, 'POST', '/v1/subscriptions', (call) => render(billing.createSubscription(call.params, call.origin), call));
  http.route(app, 'GET', '/v1/subscriptions/:id', (call) =>
    render(store.get(store.subscriptions, 'subscription', call.path.id), call),
  );
  http.route(app, 'POST', '/v1/subscriptions/:id', (call) =>
    render(billing.updateSubscription(store.get(store.subscriptions, 'subscription', call.path.id), call.params, call.origin), call),
  );
  http.route(app, 'DELETE', '/v1/subscriptions/:id', (call) =>
    render(billing.cancelSubscription(store.get(store.subscriptions, 'subscription', call.path.id), call.params, call.origin), call),
  );
  http.route(app, 'GET', '/v1/subscriptions', (call) => {
    const customer = optionalString(call.params, 'customer');
    const status = optionalString(call.params, 'status');
    const price = optionalString(call.params, 'price');
    const all = [...store.subscriptions.values()].filter(
      (s) =>
        (customer === undefined || s.customer === customer) &&
        (status === 'all' || (status === undefined ? s.status !== 'canceled' : s.status === status)) &&
        (price === undefined || s.items.data.some((i) => i.price.id === price)),
    );
    return render(page(all, call.params, '/v1/subscriptions'), call);
  });
  http.route(app, 'GET', '/v1/invoices/:id', (call) => render(store.get(store.invoices, 'invoice', call.path.id), call));
  http.route(app, 'GET', '/v1/invoices', (call) => {
    const customer = optionalString(call.params, 'customer');
    const subscription = optionalString(call.params, 'subscription');
    const all = [...store.invoices.values()].filter(
      (i) =>
        (customer === undefined || i.customer === customer) &&
        (subscription === undefined || i.parent?.subscription_details?.subscription === subscription),
    );
    return render(page(all, call.params, '/v1/invoices'), call);
  });

  // Events
  http.route(app, 'GET', '/v1/events/:id', (call) => {
    const event = store.events.find((e) => e.id === call.path.id);
    if (!event) return render(store.get(new Map(), 'event', call.path.id), call);
    return render(store.eventView(event), call);
  });
  http.route(app, 'GET', '/v1/events', (call) => {
    const type = optionalString(call.params, 'type');
    const typesParam = call.params.types;
    const types = Array.isArray(typesParam) ? typesParam.filter((t): t is string => typeof t === 'string') : undefined;
    if (type && types) throw invalidRequest('You may only specify one of these parameters: type, types.', 'types');
    const deliverySuccess = optionalString(call.params, 'delivery_success');
    const matchesType = (t: string) => {
      const pattern = (p: string) => new RegExp(`^${p.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`).test(t);
      if (type) return pattern(type);
      if (types) return types.some(pattern);
      return true;
    };
    const all = store.events
      .filter((e) => matchesType(e.type))
      .filter((e) => deliverySuccess === undefined || webhooks.deliverySucceeded(e.id) === (deliverySuccess === 'true'))
      .map((e) => store.eventView(e));
    return render(page(all, call.params, '/v1/events'), call);
  });
}

function applyCustomerFields(customer: Stripe.Customer, params: StripeParams): void {
  for (const field of ['email', 'name', 'phone', 'description'] as const) {
    const v = nullableString(params, field);
    if (v !== undefined) customer[field] = v;
  }
  const address = optionalObject(params, 'address');
  if (address) {
    const str = (k: string) => (typeof address[k] === 'string' && address[k] !== '' ? (address[k] as string) : null);
    customer.address = {
      city: str('city'),
      country: str('country'),
      line1: str('line1'),
      line2: str('line2'),
      postal_code: str('postal_code'),
      state: str('state'),
    };
  }
  const locales = stringList(params.preferred_locales);
  if (locales) customer.preferred_locales = locales;
  customer.metadata = applyMetadata(customer.metadata, params);
}

function stringList(v: StripeParams[string] | undefined): string[] | undefined {
  if (v === undefined) return undefined;
  if (v === '') return [];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined;
}

function diff(before: object, after: object): Record<string, unknown> {
  const previous: Record<string, unknown> = {};
  const a = before as Record<string, unknown>;
  const b = after as Record<string, unknown>;
  for (const key of Object.keys(b)) if (JSON.stringify(a[key]) !== JSON.stringify(b[key])) previous[key] = a[key];
  return previous;
}
