import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Stripe from 'stripe';
import { startEmulator, type EmulatorHarness } from '../../sandbox/core/server.js';
import { createStripeEmulator } from '../../sandbox/stripe/index.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const fixtures = (JSON.parse(readFileSync(join(process.cwd(), 'sandbox/specs/stripe-fixtures3.json'), 'utf8')) as {
  resources: Record<string, Record<string, Json>>;
}).resources;

/**
 * Fields stripe-node 23's types declare as always present (API 2026-10-28.endive) that the vendored fixtures3.json,
 * generated from an older spec, does not have yet. Only these may appear beyond the fixture's keys.
 */
const NEWER_THAN_FIXTURE: Record<string, string[]> = {
  payment_intent: ['allowed_payment_method_types', 'payment_record'],
  product: ['tax_details'],
  subscription_item: ['current_trial'],
};

/**
 * Fixture fields the API omits by default: `includable` ones (returned only when expanded), optional ones the SDK
 * types mark with `?` that a fresh object of this kind does not carry, and ones API 2025-03-31.basil removed
 * (absent from stripe-node 23's types).
 */
const OMITTED_BY_DEFAULT: Record<string, string[]> = {
  charge: ['refunds'],
  invoice: ['subscription'],
};

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

/** Problems found comparing a produced object with its fixture: unknown keys and incompatible value types. */
function shapeProblems(produced: unknown, fixture: Json, path: string, topLevel: { kind: string } | undefined, out: string[]): void {
  const fk = kindOf(fixture);
  const pk = kindOf(produced);
  // null in the fixture says "nullable, type unknown"; null produced is a nullable field left empty.
  if (fk === 'null' || pk === 'null') return;
  // an expandable field: an id where the fixture shows the expanded object, or the other way round
  if ((fk === 'object' && pk === 'string') || (fk === 'string' && pk === 'object')) return;
  if (fk !== pk) {
    out.push(`${path}: ${pk} where the fixture has ${fk}`);
    return;
  }
  if (fk === 'array') {
    const [f] = fixture as Json[];
    const [p] = produced as unknown[];
    if (f !== undefined && p !== undefined) shapeProblems(p, f, `${path}[0]`, undefined, out);
    return;
  }
  if (fk !== 'object') return;
  const f = fixture as Record<string, Json>;
  const p = produced as Record<string, unknown>;
  // `{}` in the fixture is a free-form hash (metadata, payment_method_options)
  if (Object.keys(f).length === 0) return;
  for (const key of Object.keys(p)) {
    if (key in f) shapeProblems(p[key], f[key], `${path}.${key}`, undefined, out);
    else if (topLevel && !(NEWER_THAN_FIXTURE[topLevel.kind] ?? []).includes(key)) out.push(`${path}.${key}: not in the fixture`);
  }
  if (topLevel) {
    for (const key of Object.keys(f)) {
      if (!(key in p) && !(OMITTED_BY_DEFAULT[topLevel.kind] ?? []).includes(key)) out.push(`${path}.${key}: missing`);
    }
  }
}

function expectFixtureShape(kind: string, produced: unknown): void {
  const fixture = fixtures[kind];
  const { lastResponse: _ignored, ...wire } = produced as Record<string, unknown>;
  const problems: string[] = [];
  shapeProblems(wire, fixture, kind, { kind }, problems);
  expect(problems).toEqual([]);
}

describe('Stripe emulator objects against fixtures3.json', () => {
  let harness: EmulatorHarness;
  let stripe: Stripe;

  beforeAll(async () => {
    harness = await startEmulator(createStripeEmulator(), { port: 0 });
    const url = new URL(harness.url);
    stripe = new Stripe('sk_test_sandbox', { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0, telemetry: false });
  });
  afterAll(async () => harness.stop());

  it('shapes customers, payment intents, charges, refunds and events like Stripe', async () => {
    const customer = await stripe.customers.create({ email: 'f@example.test', metadata: { a: 'b' } });
    expectFixtureShape('customer', customer);
    const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd', customer: customer.id, automatic_payment_methods: { enabled: true } });
    expectFixtureShape('payment_intent', pi);
    const paid = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' });
    expectFixtureShape('payment_intent', paid);
    const declined = await stripe.paymentIntents.create({ amount: 2000, currency: 'usd' });
    await stripe.paymentIntents.confirm(declined.id, { payment_method: 'pm_card_chargeDeclined' }).catch(() => undefined);
    expectFixtureShape('payment_intent', await stripe.paymentIntents.retrieve(declined.id));
    const charge = await stripe.charges.retrieve(paid.latest_charge as string);
    expectFixtureShape('charge', charge);
    const refund = await stripe.refunds.create({ payment_intent: pi.id, amount: 500 });
    expectFixtureShape('refund', refund);
    const events = await stripe.events.list({ limit: 100 });
    for (const event of events.data) expectFixtureShape('event', event);
    const cancelled = await stripe.paymentIntents.cancel((await stripe.paymentIntents.create({ amount: 100, currency: 'usd' })).id);
    expectFixtureShape('payment_intent', cancelled);
  });

  it('shapes products, prices, subscriptions, items and invoices like Stripe', async () => {
    const product = await stripe.products.create({ name: 'Plan' });
    expectFixtureShape('product', product);
    const price = await stripe.prices.create({ product: product.id, currency: 'usd', unit_amount: 2500, recurring: { interval: 'month' } });
    expectFixtureShape('price', price);
    const customer = await stripe.customers.create();
    const sub = await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: price.id }],
      payment_behavior: 'default_incomplete',
      expand: ['latest_invoice.payments'],
    });
    const invoice = sub.latest_invoice as Stripe.Invoice;
    expectFixtureShape('subscription', { ...sub, latest_invoice: invoice.id });
    expectFixtureShape('subscription_item', sub.items.data[0]);
    const { payments, ...invoiceDefault } = invoice;
    expectFixtureShape('invoice', invoiceDefault);
    expectFixtureShape('invoice_payment', payments!.data[0]);
    expectFixtureShape('invoice', await stripe.invoices.retrieve(invoice.id));
    expectFixtureShape('subscription', await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true }));
  });
});
