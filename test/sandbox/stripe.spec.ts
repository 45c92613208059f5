import Stripe from 'stripe';
import { startEmulator, type EmulatorHarness } from '../../sandbox/core/server.js';
import { createStripeEmulator } from '../../sandbox/stripe/index.js';

const KEY = 'sk_test_sandbox';

function client(harness: EmulatorHarness, options: { key?: string; maxNetworkRetries?: number } = {}): Stripe {
  const url = new URL(harness.url);
  return new Stripe(options.key ?? KEY, {
    host: url.hostname,
    port: Number(url.port),
    protocol: 'http',
    maxNetworkRetries: options.maxNetworkRetries ?? 0,
    telemetry: false,
    timeout: 5000,
  });
}

async function post(harness: EmulatorHarness, path: string, body: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${harness.url}${path}`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

describe('Stripe emulator', () => {
  let harness: EmulatorHarness;
  let stripe: Stripe;

  beforeAll(async () => {
    harness = await startEmulator(createStripeEmulator({ apiKeys: [KEY, 'sk_test_other_account'] }), { port: 0 });
    stripe = client(harness);
  });
  afterAll(async () => harness.stop());
  beforeEach(() => harness.reset());

  describe('auth and errors', () => {
    it('rejects a missing or wrong key with a Stripe authentication error', async () => {
      await expect(client(harness, { key: 'sk_test_wrong_key_123456' }).customers.create()).rejects.toMatchObject({
        type: 'StripeAuthenticationError',
        statusCode: 401,
        message: expect.stringContaining('Invalid API Key provided: sk_test_'),
      });
      const res = await fetch(`${harness.url}/v1/customers`);
      expect(res.status).toBe(401);
      expect(res.headers.get('request-id')).toMatch(/^req_/);
      await expect(res.json()).resolves.toEqual({
        error: { type: 'invalid_request_error', message: expect.stringContaining('You did not provide an API key') },
      });
    });

    it('answers 404 resource_missing for unknown objects', async () => {
      await expect(stripe.paymentIntents.retrieve('pi_missing')).rejects.toMatchObject({
        type: 'StripeInvalidRequestError',
        statusCode: 404,
        code: 'resource_missing',
        param: 'id',
        message: "No such payment_intent: 'pi_missing'",
      });
    });

    it('uses Stripe error bodies for quota 429s and injected faults', async () => {
      harness.setQuota({ limit: 1, windowMs: 60_000 });
      await stripe.customers.create();
      const limited = await post(harness, '/v1/customers', '');
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBeTruthy();
      expect(limited.body.error).toMatchObject({ type: 'invalid_request_error', code: 'rate_limit' });
      await expect(stripe.customers.create()).rejects.toMatchObject({ type: 'StripeRateLimitError', statusCode: 429 });
    });
  });

  describe('customers', () => {
    it('creates, retrieves and updates with bracketed metadata', async () => {
      const created = await stripe.customers.create({ email: 'client@example.test', name: 'A', metadata: { practice: 'p1', x: 'y' } });
      expect(created).toMatchObject({ object: 'customer', email: 'client@example.test', metadata: { practice: 'p1', x: 'y' } });
      expect(created.id).toMatch(/^cus_[A-Za-z0-9]{14}$/);
      expect(created.lastResponse.requestId).toMatch(/^req_/);
      const updated = await stripe.customers.update(created.id, { name: 'B', metadata: { x: '' } });
      expect(updated).toMatchObject({ name: 'B', metadata: { practice: 'p1' } });
      await expect(stripe.customers.retrieve(created.id)).resolves.toMatchObject({ name: 'B' });
      const journal = harness.journal().find((e) => e.method === 'POST' && e.path === `/v1/customers/${created.id}`);
      expect(journal?.body).toEqual({ name: 'B', metadata: { x: '' } });
    });
  });

  describe('payment intents', () => {
    it('goes requires_payment_method -> succeeded on confirm and lists by customer', async () => {
      const customer = await stripe.customers.create();
      const pi = await stripe.paymentIntents.create({
        amount: 12000,
        currency: 'usd',
        customer: customer.id,
        metadata: { sessionId: 's1' },
        automatic_payment_methods: { enabled: true },
      });
      expect(pi).toMatchObject({
        object: 'payment_intent',
        status: 'requires_payment_method',
        amount: 12000,
        amount_received: 0,
        latest_charge: null,
        automatic_payment_methods: { enabled: true },
        metadata: { sessionId: 's1' },
      });
      expect(pi.client_secret).toMatch(new RegExp(`^${pi.id}_secret_[A-Za-z0-9]+$`));
      const confirmed = await stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa', expand: ['latest_charge'] });
      expect(confirmed).toMatchObject({ status: 'succeeded', amount_received: 12000 });
      expect(confirmed.latest_charge).toMatchObject({ object: 'charge', paid: true, amount: 12000, status: 'succeeded', payment_intent: pi.id });
      await stripe.paymentIntents.create({ amount: 500, currency: 'usd' });
      const list = await stripe.paymentIntents.list({ customer: customer.id });
      expect(list.data.map((p) => p.id)).toEqual([pi.id]);
    });

    it('answers a decline with a 402 card_error and keeps the intent retryable', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 2000, currency: 'eur' });
      await expect(
        stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa_chargeDeclinedInsufficientFunds' }),
      ).rejects.toMatchObject({
        type: 'StripeCardError',
        statusCode: 402,
        code: 'card_declined',
        decline_code: 'insufficient_funds',
        payment_intent: { id: pi.id, status: 'requires_payment_method' },
      });
      const after = await stripe.paymentIntents.retrieve(pi.id);
      expect(after.last_payment_error).toMatchObject({ type: 'card_error', decline_code: 'insufficient_funds' });
      await expect(stripe.paymentIntents.confirm(pi.id, { payment_method: 'pm_card_visa' })).resolves.toMatchObject({ status: 'succeeded' });
    });

    it('updates, cancels, and refuses to cancel a succeeded intent', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      await expect(stripe.paymentIntents.update(pi.id, { amount: 1500, description: 'Session' })).resolves.toMatchObject({ amount: 1500 });
      await expect(stripe.paymentIntents.cancel(pi.id, { cancellation_reason: 'abandoned' })).resolves.toMatchObject({
        status: 'canceled',
        cancellation_reason: 'abandoned',
      });
      const paid = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      expect(paid.status).toBe('succeeded');
      await expect(stripe.paymentIntents.cancel(paid.id)).rejects.toMatchObject({ statusCode: 400, code: 'payment_intent_unexpected_state' });
    });

    it('requires action for a 3DS card', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd', payment_method: 'pm_card_authenticationRequired', confirm: true });
      expect(pi).toMatchObject({ status: 'requires_action', next_action: { type: 'use_stripe_sdk' } });
    });
  });

  describe('currency rules', () => {
    it('accepts zero-decimal, three-decimal and ISK amounts the way Stripe does', async () => {
      await expect(stripe.paymentIntents.create({ amount: 50, currency: 'jpy' })).resolves.toMatchObject({ amount: 50, currency: 'jpy' });
      await expect(stripe.paymentIntents.create({ amount: 49, currency: 'jpy' })).rejects.toMatchObject({ code: 'amount_too_small', param: 'amount' });
      await expect(stripe.paymentIntents.create({ amount: 5120, currency: 'kwd' })).resolves.toMatchObject({ amount: 5120 });
      await expect(stripe.paymentIntents.create({ amount: 5124, currency: 'kwd' })).rejects.toMatchObject({
        type: 'StripeInvalidRequestError',
        param: 'amount',
        code: 'invalid_charge_amount',
      });
      await expect(stripe.paymentIntents.create({ amount: 50000, currency: 'isk' })).resolves.toMatchObject({ amount: 50000 });
      await expect(stripe.paymentIntents.create({ amount: 50050, currency: 'isk' })).rejects.toMatchObject({
        code: 'invalid_charge_amount_no_decimal_compatible',
        param: 'amount',
      });
    });

    it('enforces minimums, the 8-digit maximum and supported currencies', async () => {
      await expect(stripe.paymentIntents.create({ amount: 49, currency: 'usd' })).rejects.toMatchObject({
        statusCode: 400,
        code: 'amount_too_small',
        param: 'amount',
        message: 'Amount must be at least $0.50 usd',
      });
      await expect(stripe.paymentIntents.create({ amount: 50, currency: 'USD' })).resolves.toMatchObject({ currency: 'usd' });
      await expect(stripe.paymentIntents.create({ amount: 100_000_000, currency: 'usd' })).rejects.toMatchObject({ code: 'amount_too_large' });
      await expect(stripe.paymentIntents.create({ amount: 17_400, currency: 'huf' })).rejects.toMatchObject({ code: 'amount_too_small' });
      await expect(stripe.paymentIntents.create({ amount: 1000, currency: 'xyz' })).rejects.toMatchObject({
        type: 'StripeInvalidRequestError',
        param: 'currency',
        message: expect.stringMatching(/^Invalid currency: xyz\. Stripe currently supports these currencies: usd, /),
      });
    });
  });

  describe('idempotency', () => {
    it('replays the first response for the same key and parameters, per API key', async () => {
      const first = await post(harness, '/v1/customers', 'email=a%40example.test&metadata[k]=v', { 'Idempotency-Key': 'key-1' });
      const again = await post(harness, '/v1/customers', 'metadata[k]=v&email=a%40example.test', { 'Idempotency-Key': 'key-1' });
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(first.headers.get('idempotent-replayed')).toBeNull();
      expect(again.headers.get('request-id')).not.toBe(first.headers.get('request-id'));
      await expect(stripe.customers.list()).resolves.toMatchObject({ data: [{ id: first.body.id }] });
      const otherKey = await post(harness, '/v1/customers', 'metadata[k]=v&email=a%40example.test', {
        'Idempotency-Key': 'key-1',
        Authorization: 'Bearer sk_test_other_account',
      });
      expect(otherKey.headers.get('idempotent-replayed')).toBeNull();
      expect(otherKey.body.id).not.toBe(first.body.id);
    });

    it('answers idempotency_error for the same key with different parameters or endpoint', async () => {
      await stripe.customers.create({ email: 'a@example.test' }, { idempotencyKey: 'key-2' });
      await expect(stripe.customers.create({ email: 'b@example.test' }, { idempotencyKey: 'key-2' })).rejects.toMatchObject({
        type: 'StripeIdempotencyError',
        statusCode: 400,
        message: expect.stringContaining('Keys for idempotent requests can only be used with the same parameters'),
      });
      await expect(stripe.products.create({ name: 'x' }, { idempotencyKey: 'key-2' })).rejects.toMatchObject({
        type: 'StripeIdempotencyError',
      });
    });

    it('replays errors once execution started (402) but not validation failures', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 1000, currency: 'usd' });
      const declined = await post(harness, `/v1/payment_intents/${pi.id}/confirm`, 'payment_method=pm_card_chargeDeclined', { 'Idempotency-Key': 'k3' });
      expect(declined.status).toBe(402);
      const replay = await post(harness, `/v1/payment_intents/${pi.id}/confirm`, 'payment_method=pm_card_chargeDeclined', { 'Idempotency-Key': 'k3' });
      expect(replay).toMatchObject({ status: 402, body: declined.body });
      const tooSmall = await post(harness, '/v1/payment_intents', 'amount=10&currency=usd', { 'Idempotency-Key': 'k4' });
      expect(tooSmall.status).toBe(400);
      const fixed = await post(harness, '/v1/payment_intents', 'amount=10&currency=usd', { 'Idempotency-Key': 'k4' });
      expect(fixed.headers.get('idempotent-replayed')).toBeNull();
    });

    it('lets stripe-node retry a POST after an injected 500 with the same key, creating one object', async () => {
      const retrying = client(harness, { maxNetworkRetries: 2 });
      harness.addFault({ method: 'POST', path: '^/v1/payment_intents$', count: 1, status: 500 });
      harness.addFault({ method: 'POST', path: '^/v1/customers$', count: 1, status: 429, headers: { 'stripe-should-retry': 'true' } });
      const pi = await retrying.paymentIntents.create({ amount: 1000, currency: 'usd' });
      const customer = await retrying.customers.create({ email: 'r@example.test' });
      const posts = harness.journal().filter((e) => e.method === 'POST');
      expect(posts.map((e) => e.status)).toEqual([500, 200, 429, 200]);
      expect(posts[0].headers['idempotency-key']).toMatch(/^stripe-node-retry-/);
      expect(posts[1].headers['idempotency-key']).toBe(posts[0].headers['idempotency-key']);
      expect(posts[3].headers['idempotency-key']).toBe(posts[2].headers['idempotency-key']);
      await expect(stripe.paymentIntents.list()).resolves.toMatchObject({ data: [{ id: pi.id }] });
      await expect(stripe.customers.list()).resolves.toMatchObject({ data: [{ id: customer.id }] });
    });
  });

  describe('refunds', () => {
    it('refunds partially then fully, updating the charge', async () => {
      const pi = await stripe.paymentIntents.create({ amount: 5000, currency: 'usd', payment_method: 'pm_card_visa', confirm: true });
      const partial = await stripe.refunds.create({ payment_intent: pi.id, amount: 2000 });
      expect(partial).toMatchObject({ object: 'refund', amount: 2000, status: 'succeeded', payment_intent: pi.id });
      await expect(stripe.charges.retrieve(pi.latest_charge as string)).resolves.toMatchObject({ amount_refunded: 2000, refunded: false });
      await expect(stripe.refunds.create({ payment_intent: pi.id, amount: 4000 })).rejects.toMatchObject({ statusCode: 400, param: 'amount' });
      const rest = await stripe.refunds.create({ payment_intent: pi.id });
      expect(rest.amount).toBe(3000);
      await expect(stripe.charges.retrieve(pi.latest_charge as string)).resolves.toMatchObject({ amount_refunded: 5000, refunded: true });
      await expect(stripe.refunds.create({ payment_intent: pi.id })).rejects.toMatchObject({ code: 'charge_already_refunded' });
      await expect(stripe.refunds.retrieve(partial.id)).resolves.toMatchObject({ id: partial.id });
    });
  });

  describe('subscriptions', () => {
    async function incompleteSubscription() {
      const customer = await stripe.customers.create({ email: 'sub@example.test' });
      const price = await stripe.prices.create({ currency: 'usd', unit_amount: 9900, recurring: { interval: 'month' }, product_data: { name: 'Practice plan' } });
      const sub = await stripe.subscriptions.create({
        customer: customer.id,
        items: [{ price: price.id }],
        payment_behavior: 'default_incomplete',
        payment_settings: { save_default_payment_method: 'on_subscription' },
        expand: ['latest_invoice.confirmation_secret', 'latest_invoice.payments'],
      });
      return { customer, price, sub };
    }

    it('starts incomplete with a client secret and becomes active when the invoice is paid', async () => {
      const { customer, price, sub } = await incompleteSubscription();
      expect(price).toMatchObject({ object: 'price', type: 'recurring', recurring: { interval: 'month', interval_count: 1 } });
      expect(sub).toMatchObject({ object: 'subscription', status: 'incomplete', customer: customer.id });
      expect(sub.items.data[0]).toMatchObject({ object: 'subscription_item', price: { id: price.id }, quantity: 1 });
      const invoice = sub.latest_invoice as Stripe.Invoice;
      expect(invoice).toMatchObject({ object: 'invoice', status: 'open', amount_due: 9900, billing_reason: 'subscription_create' });
      expect(invoice.confirmation_secret?.client_secret).toMatch(/^pi_.+_secret_/);
      const piId = invoice.payments!.data[0].payment.payment_intent as string;
      expect(invoice.confirmation_secret!.client_secret.startsWith(`${piId}_secret_`)).toBe(true);

      await stripe.paymentIntents.confirm(piId, { payment_method: 'pm_card_visa' });
      await expect(stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice'] })).resolves.toMatchObject({
        status: 'active',
        latest_invoice: { status: 'paid', amount_paid: 9900, amount_remaining: 0 },
      });
      await expect(stripe.subscriptions.list({ customer: customer.id })).resolves.toMatchObject({ data: [{ id: sub.id }] });
    });

    it('rejects latest_invoice.payment_intent on this API version but shows it on older ones', async () => {
      const { sub } = await incompleteSubscription();
      await expect(stripe.subscriptions.retrieve(sub.id, { expand: ['latest_invoice.payment_intent'] })).rejects.toMatchObject({
        statusCode: 400,
        message: 'This property cannot be expanded (payment_intent).',
      });
      const old = await fetch(`${harness.url}/v1/subscriptions/${sub.id}?expand[]=latest_invoice.payment_intent`, {
        headers: { Authorization: `Bearer ${KEY}`, 'Stripe-Version': '2024-06-20' },
      });
      const body = (await old.json()) as any;
      expect(body.latest_invoice.payment_intent.client_secret).toMatch(/_secret_/);
    });

    it('renews, goes past_due on a failed renewal, cancels at period end', async () => {
      const { sub } = await incompleteSubscription();
      await fetch(`${harness.url}/__sandbox/subscriptions/${sub.id}/advance`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ outcome: 'paid' }),
      });
      const active = await stripe.subscriptions.retrieve(sub.id);
      expect(active.status).toBe('active');
      const failed = await fetch(`${harness.url}/__sandbox/subscriptions/${sub.id}/advance`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ outcome: 'failed' }),
      });
      const failedBody = (await failed.json()) as any;
      expect(failedBody).toMatchObject({ status: 'past_due', latest_invoice: { status: 'open', billing_reason: 'subscription_cycle', attempt_count: 1 } });
      expect(failedBody.items.data[0].current_period_start).toBe(active.items.data[0].current_period_end);

      const updated = await stripe.subscriptions.update(sub.id, { cancel_at_period_end: true });
      expect(updated).toMatchObject({ cancel_at_period_end: true, cancel_at: updated.items.data[0].current_period_end });
      await fetch(`${harness.url}/__sandbox/subscriptions/${sub.id}/advance`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ outcome: 'paid' }),
      });
      await expect(stripe.subscriptions.retrieve(sub.id)).resolves.toMatchObject({ status: 'canceled' });
    });

    it('cancels immediately with DELETE', async () => {
      const { sub } = await incompleteSubscription();
      await expect(stripe.subscriptions.cancel(sub.id)).resolves.toMatchObject({ status: 'canceled', ended_at: expect.any(Number) });
      await expect(stripe.subscriptions.list()).resolves.toMatchObject({ data: [] });
      await expect(stripe.subscriptions.list({ status: 'all' })).resolves.toMatchObject({ data: [{ id: sub.id }] });
    });
  });
});
