import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startEmulator, type EmulatorHarness } from '../../sandbox/core/server.js';
import { createStripeEmulator } from '../../sandbox/stripe/index.js';

const KEY = 'sk_test_sandbox';

/** A local endpoint that verifies every delivery the way an app does, and can answer with failures first. */
class WebhookReceiver {
  readonly events: Stripe.Event[] = [];
  readonly attempts: { status: number; signature: string }[] = [];
  failNext = 0;
  private server!: Server;
  private readonly verifier = new Stripe(KEY);

  constructor(private readonly secret: string) {}

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const signature = String(req.headers['stripe-signature'] ?? '');
        let status = 200;
        if (this.failNext > 0) {
          this.failNext--;
          status = 500;
        } else {
          try {
            this.events.push(this.verifier.webhooks.constructEvent(raw, signature, this.secret));
          } catch {
            status = 400;
          }
        }
        this.attempts.push({ status, signature });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/webhooks/stripe`;
  }

  async waitFor(predicate: (events: Stripe.Event[]) => boolean, timeoutMs = 3000): Promise<Stripe.Event[]> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this.events)) {
      if (Date.now() > deadline) throw new Error(`timed out; got ${this.events.map((e) => e.type).join(', ')}`);
      await new Promise((r) => setTimeout(r, 10));
    }
    return this.events;
  }

  clear() {
    this.events.length = 0;
    this.attempts.length = 0;
    this.failNext = 0;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

const types = (events: Stripe.Event[]) => events.map((e) => e.type);

describe('Stripe emulator webhooks', () => {
  let harness: EmulatorHarness;
  let stripe: Stripe;
  const primary = new WebhookReceiver('whsec_sandbox');
  const second = new WebhookReceiver('whsec_second');
  let secondUrl: string;

  async function control(path: string, body: unknown, method = 'POST') {
    const res = await fetch(`${harness.url}/__sandbox/${path}`, {
      method,
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  /** Waits until the emulator has recorded `count` delivery attempts (the receiver sees an event before that). */
  async function deliveriesRecorded(count: number) {
    const deadline = Date.now() + 3000;
    while (harness.activities().filter((a) => a.kind === 'delivery').length < count) {
      if (Date.now() > deadline) throw new Error('deliveries were not recorded');
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  beforeAll(async () => {
    const url = await primary.start();
    secondUrl = await second.start();
    harness = await startEmulator(
      createStripeEmulator({ webhook: { url, secret: 'whsec_sandbox' }, webhookRetryDelaysMs: [20, 40, 80] }),
      { port: 0 },
    );
    const origin = new URL(harness.url);
    stripe = new Stripe(KEY, { host: origin.hostname, port: Number(origin.port), protocol: 'http', maxNetworkRetries: 0, telemetry: false, timeout: 5000 });
  });
  afterAll(async () => {
    await harness.stop();
    await primary.stop();
    await second.stop();
  });
  beforeEach(() => {
    harness.reset();
    primary.clear();
    second.clear();
  });

  it('delivers signed events that constructEvent verifies, with request ids and idempotency keys', async () => {
    const customer = await stripe.customers.create({ email: 'a@example.test' }, { idempotencyKey: 'create-customer-1' });
    await stripe.customers.update(customer.id, { name: 'Client' });
    const events = await primary.waitFor((e) => e.length >= 2);
    expect(types(events).sort()).toEqual(['customer.created', 'customer.updated']);
    const created = events.find((e) => e.type === 'customer.created')!;
    expect(created).toMatchObject({
      object: 'event',
      api_version: '2026-10-28.endive',
      livemode: false,
      data: { object: { id: customer.id, object: 'customer' } },
      request: { id: customer.lastResponse.requestId, idempotency_key: 'create-customer-1' },
    });
    expect(created.id).toMatch(/^evt_/);
    const updated = events.find((e) => e.type === 'customer.updated')!;
    expect(updated.data.previous_attributes).toEqual({ name: null });
    expect(primary.attempts[0].signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });

  it('settles a payment intent through the control and delivers to two endpoints with their own secrets', async () => {
    const added = await control('webhook_endpoints', { url: secondUrl, secret: 'whsec_second' });
    expect(added.status).toBe(201);
    const pi = await stripe.paymentIntents.create({ amount: 4500, currency: 'usd' });
    const settled = await control(`payment_intents/${pi.id}/settle`, { outcome: 'succeed' });
    expect(settled.body).toMatchObject({ status: 'succeeded', amount_received: 4500 });
    for (const receiver of [primary, second]) {
      const events = await receiver.waitFor((e) => e.some((x) => x.type === 'payment_intent.succeeded'));
      const succeeded = events.find((e) => e.type === 'payment_intent.succeeded')!;
      expect(succeeded.data.object).toMatchObject({ id: pi.id, status: 'succeeded', latest_charge: expect.stringMatching(/^ch_/) });
      expect(succeeded.request).toEqual({ id: null, idempotency_key: null });
      expect(types(events)).toEqual(expect.arrayContaining(['payment_intent.created', 'charge.succeeded']));
    }
    await control(`webhook_endpoints/${added.body.id}`, {}, 'DELETE');
    await stripe.customers.create();
    await primary.waitFor((e) => e.some((x) => x.type === 'customer.created'));
    expect(types(second.events)).not.toContain('customer.created');
  });

  it('settles with a decline code and requires action', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 4500, currency: 'usd' });
    const failed = await control(`payment_intents/${pi.id}/settle`, { outcome: 'fail', declineCode: 'expired_card' });
    expect(failed.body).toMatchObject({ status: 'requires_payment_method', last_payment_error: { code: 'expired_card', decline_code: 'expired_card' } });
    await control(`payment_intents/${pi.id}/settle`, { outcome: 'require_action' });
    await control(`payment_intents/${pi.id}/settle`, { outcome: 'processing' });
    const events = await primary.waitFor((e) => e.some((x) => x.type === 'payment_intent.processing'));
    expect(types(events)).toEqual(expect.arrayContaining(['charge.failed', 'payment_intent.payment_failed', 'payment_intent.requires_action']));
  });

  it('retries a failed delivery with the same event and reports it in activities', async () => {
    primary.failNext = 2;
    const customer = await stripe.customers.create();
    const [event] = await primary.waitFor((e) => e.length === 1);
    expect(event.data.object).toMatchObject({ id: customer.id });
    expect(primary.attempts.map((a) => a.status)).toEqual([500, 500, 200]);
    await deliveriesRecorded(3);
    const deliveries = harness.activities().filter((a) => a.kind === 'delivery');
    expect(deliveries).toHaveLength(3);
    await expect(stripe.events.list({ delivery_success: false })).resolves.toMatchObject({ data: [] });
  });

  it('drops the next deliveries on request, and lists them with delivery_success=false', async () => {
    await control('webhooks/drop-next', { count: 1 });
    const lost = await stripe.customers.create();
    const kept = await stripe.customers.create();
    await primary.waitFor((e) => e.length === 1);
    expect(primary.events[0].data.object).toMatchObject({ id: kept.id });
    await deliveriesRecorded(2);
    const missed = await stripe.events.list({ delivery_success: false });
    expect(missed.data).toHaveLength(1);
    expect(missed.data[0]).toMatchObject({ type: 'customer.created', data: { object: { id: lost.id } }, pending_webhooks: 1 });
    await expect(stripe.events.retrieve(missed.data[0].id)).resolves.toMatchObject({ id: missed.data[0].id });
  });

  it('lists events newest first with type, types and created filters', async () => {
    const customer = await stripe.customers.create();
    const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', customer: customer.id, payment_method: 'pm_card_visa', confirm: true });
    const all = await stripe.events.list();
    expect(types(all.data)).toEqual(['payment_intent.succeeded', 'charge.succeeded', 'payment_intent.created', 'customer.created']);
    await expect(stripe.events.list({ type: 'payment_intent.*' })).resolves.toMatchObject({ data: [{ type: 'payment_intent.succeeded' }, { type: 'payment_intent.created' }] });
    const byTypes = await stripe.events.list({ types: ['customer.created', 'charge.succeeded'] });
    expect(types(byTypes.data)).toEqual(['charge.succeeded', 'customer.created']);
    const now = Math.floor(Date.now() / 1000);
    await expect(stripe.events.list({ created: { gt: now + 60 } })).resolves.toMatchObject({ data: [] });
    await expect(stripe.events.list({ created: { gte: now - 60 }, limit: 2 })).resolves.toMatchObject({ has_more: true, data: [{}, {}] });
    const paged = await stripe.events.list({ limit: 2, starting_after: all.data[1].id });
    expect(paged.data.map((e) => e.id)).toEqual([all.data[2].id, all.data[3].id]);
    expect(pi.status).toBe('succeeded');
    await expect(stripe.events.retrieve('evt_missing')).rejects.toMatchObject({ statusCode: 404, code: 'resource_missing' });
  });

  it('sends the subscription lifecycle: default_incomplete, first payment, renewal failure, recovery', async () => {
    const customer = await stripe.customers.create();
    const price = await stripe.prices.create({ currency: 'usd', unit_amount: 5000, recurring: { interval: 'month' }, product_data: { name: 'Plan' } });
    const sub = await stripe.subscriptions.create({ customer: customer.id, items: [{ price: price.id }], payment_behavior: 'default_incomplete' });
    await control(`subscriptions/${sub.id}/advance`, { outcome: 'paid' });
    const activated = await primary.waitFor((e) => e.some((x) => x.type === 'customer.subscription.updated'));
    const update = activated.find((x) => x.type === 'customer.subscription.updated')!;
    expect(update.data).toMatchObject({ object: { id: sub.id, status: 'active' }, previous_attributes: { status: 'incomplete' } });
    expect(types(activated)).toEqual(
      expect.arrayContaining(['customer.subscription.created', 'invoice.created', 'invoice.finalized', 'invoice.paid', 'invoice.payment_succeeded', 'invoice_payment.paid']),
    );
    primary.clear();
    await control(`subscriptions/${sub.id}/advance`, { outcome: 'failed' });
    const failed = await primary.waitFor((e) => e.some((x) => x.type === 'invoice.payment_failed') && e.filter((x) => x.type === 'customer.subscription.updated').length >= 2);
    const pastDue = failed.find((x) => x.type === 'customer.subscription.updated' && (x.data.object as Stripe.Subscription).status === 'past_due')!;
    expect(pastDue.data.previous_attributes).toEqual({ status: 'active' });
    primary.clear();
    await control(`subscriptions/${sub.id}/advance`, { outcome: 'paid' });
    const recovered = await primary.waitFor((e) => e.some((x) => x.type === 'invoice.paid') && e.some((x) => (x.data.previous_attributes as any)?.status === 'past_due'));
    expect(types(recovered)).toContain('invoice.paid');
    await stripe.subscriptions.cancel(sub.id);
    await primary.waitFor((e) => e.some((x) => x.type === 'customer.subscription.deleted'));
  });

  it('sends charge.refunded with the previous amount_refunded', async () => {
    const pi = await stripe.paymentIntents.create({ amount: 3000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
    await stripe.refunds.create({ payment_intent: pi.id, amount: 1000 });
    const events = await primary.waitFor((e) => e.some((x) => x.type === 'charge.refunded'));
    const refunded = events.find((x) => x.type === 'charge.refunded')!;
    expect(refunded.data).toMatchObject({ object: { amount_refunded: 1000, refunded: false }, previous_attributes: { amount_refunded: 0 } });
    expect(types(events)).toContain('refund.created');
  });
});
