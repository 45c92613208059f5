import { PaymentController } from '../../src/payment/payment.controller.js';
import { createSession } from '../support/test-app.js';
import { auth, countRows, createPrice, db, eventually, lastSeq, startPaymentKit, stripeCalls, type PaymentKit } from './payment-test-kit.js';

describe(`${PaymentController.name} (e2e, Stripe emulator)`, () => {
  let kit: PaymentKit;
  const intentPath = (sessionId: string) => `/api/integrations/payments/sessions/${sessionId}/intent`;
  const paymentOf = async (token: string, sessionId: string) =>
    (await kit.t.http.get(`/api/integrations/payments/sessions/${sessionId}`).set(auth(token)).expect(200)).body.data;

  beforeAll(async () => {
    kit = await startPaymentKit();
  }, 30_000);
  afterAll(() => kit.close());

  describe('POST /sessions/:sessionId/intent', () => {
    it('creates an intent for the client in minor units and answers the seed shape', async () => {
      const session = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
      const since = await lastSeq(kit.stripeControl);
      const response = await kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.client.token)).send({ amount: 150.0, currency: 'usd' }).expect(201);
      expect(response.body).toEqual({
        success: true,
        data: { clientSecret: expect.stringMatching(/^pi_.+_secret_/), paymentIntentId: expect.stringMatching(/^pi_/), amount: 150, currency: 'usd' },
      });
      const create = (await stripeCalls(kit.stripeControl, since)).find((e) => e.method === 'POST' && e.path === '/v1/payment_intents');
      expect(create?.body).toMatchObject({ amount: '15000', currency: 'usd', customer: expect.stringMatching(/^cus_/), metadata: { sessionId: session.id } });
      await expect(paymentOf(kit.cast.client.token, session.id)).resolves.toMatchObject({ paymentStatus: 'pending' });
    });

    it.each([
      ['USD', 19.99, 'usd', '1999'],
      ['JPY (zero-decimal)', 5000, 'JPY', '5000'],
      ['KWD (three decimals, last digit 0)', 12.35, 'kwd', '12350'],
      ['ISK (whole krónur, sent with two decimals)', 5000, 'isk', '500000'],
      ['HUF (whole forints)', 200, 'huf', '20000'],
    ])('converts %s to Stripe minor units', async (_name, amount, currency, minor) => {
      const session = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
      const since = await lastSeq(kit.stripeControl);
      const response = await kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.client.token)).send({ amount, currency }).expect(201);
      expect(response.body.data).toMatchObject({ amount, currency: currency.toLowerCase() });
      const create = (await stripeCalls(kit.stripeControl, since)).find((e) => e.path === '/v1/payment_intents');
      expect(create?.body).toMatchObject({ amount: minor });
    });

    it.each([
      ['below the USD minimum', 0.49, 'usd'],
      ['below the JPY minimum', 49, 'jpy'],
      ['fractional yen', 100.5, 'jpy'],
      ['a KWD amount not ending in 0', 12.345, 'kwd'],
      ['fractional krónur', 10.5, 'isk'],
      ['more than two decimals in USD', 10.001, 'usd'],
      ['above the 8-digit maximum', 1_000_000, 'usd'],
      ['zero', 0, 'usd'],
    ])('refuses %s with INVALID_AMOUNT', async (_name, amount, currency) => {
      const session = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
      const response = await kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.client.token)).send({ amount, currency }).expect(400);
      expect(response.body).toMatchObject({ success: false, code: 'INVALID_AMOUNT' });
    });

    it('creates the Stripe customer once per user and reuses it', async () => {
      const since = await lastSeq(kit.stripeControl);
      for (let i = 0; i < 2; i++) {
        const session = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
        await kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.client.token)).send({ amount: 80, currency: 'eur' }).expect(201);
      }
      const calls = await stripeCalls(kit.stripeControl, since);
      expect(calls.filter((e) => e.path === '/v1/customers').length).toBeLessThanOrEqual(1);
      const customers = await db(kit.t).query(`SELECT count(*)::int AS n FROM stripe_customers WHERE user_id = $1`, [kit.cast.client.id]);
      expect(customers[0].n).toBe(1);
    });

    it.each([
      ['the therapist', () => kit.cast.therapist.token, 403, 'FORBIDDEN'],
      ['another therapist', () => kit.cast.otherTherapist.token, 403, 'FORBIDDEN'],
      ['another client', () => kit.cast.otherClient.token, 404, 'SESSION_NOT_FOUND'],
    ])('refuses %s', async (_who, token, status, code) => {
      const session = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
      const response = await kit.t.http.post(intentPath(session.id)).set(auth(token())).send({ amount: 100, currency: 'usd' }).expect(status);
      expect(response.body).toMatchObject({ success: false, code });
    });

    it('lets an admin create the intent for the client', async () => {
      const session = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
      await kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.adminToken)).send({ amount: 100, currency: 'usd' }).expect(201);
    });

    it('replays the first response for a repeated Idempotency-Key and refuses the key with another body', async () => {
      const session = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
      const since = await lastSeq(kit.stripeControl);
      const send = (body: object) =>
        kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.client.token)).set('Idempotency-Key', 'order-42').send(body);
      const first = await send({ amount: 120, currency: 'usd' }).expect(201);
      const again = await send({ currency: 'usd', amount: 120 }).expect(201);
      expect(again.body).toEqual(first.body);
      const creates = (await stripeCalls(kit.stripeControl, since)).filter((e) => e.method === 'POST' && e.path === '/v1/payment_intents');
      expect(creates).toHaveLength(1);
      expect(creates[0].headers['idempotency-key']).toEqual(expect.stringContaining(kit.cast.client.id));
      const reused = await send({ amount: 130, currency: 'usd' }).expect(422);
      expect(reused.body).toMatchObject({ success: false, code: 'IDEMPOTENCY_KEY_REUSED' });
    });
  });

  describe('paying, refunding and history', () => {
    let sessionId: string;
    let paymentIntentId: string;

    beforeAll(async () => {
      sessionId = (await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id)).id;
      const response = await kit.t.http.post(intentPath(sessionId)).set(auth(kit.cast.client.token)).send({ amount: 150, currency: 'usd' }).expect(201);
      paymentIntentId = response.body.data.paymentIntentId;
    });

    it('reaches "paid" through the webhook alone when Stripe settles the payment', async () => {
      await kit.stripeControl.request('POST', `payment_intents/${paymentIntentId}/settle`, { outcome: 'succeed' });
      const payment = await eventually(() => paymentOf(kit.cast.client.token, sessionId), (p) => p.paymentStatus === 'paid');
      expect(payment.payments[0]).toMatchObject({ paymentIntentId, status: 'succeeded', amount: 150, currency: 'usd' });
    });

    it('refuses to pay a paid session twice', async () => {
      const response = await kit.t.http.post(intentPath(sessionId)).set(auth(kit.cast.client.token)).send({ amount: 150, currency: 'usd' }).expect(409);
      expect(response.body).toMatchObject({ success: false, code: 'SESSION_ALREADY_PAID' });
    });

    it.each([
      ['the client', () => kit.cast.client.token, 403],
      ['another therapist', () => kit.cast.otherTherapist.token, 404],
    ])('refuses a refund by %s', async (_who, token, status) => {
      await kit.t.http.post(`/api/integrations/payments/sessions/${sessionId}/refund`).set(auth(token())).send({ amount: 10 }).expect(status);
    });

    it('refunds partly, then the rest, and the session follows', async () => {
      const refundPath = `/api/integrations/payments/sessions/${sessionId}/refund`;
      const partial = await kit.t.http.post(refundPath).set(auth(kit.cast.therapist.token)).send({ amount: 50 }).expect(201);
      expect(partial.body.data).toMatchObject({ refundId: expect.stringMatching(/^re_/), amount: 50, currency: 'usd', paymentStatus: 'partially_refunded' });
      const tooMuch = await kit.t.http.post(refundPath).set(auth(kit.cast.therapist.token)).send({ amount: 101 }).expect(400);
      expect(tooMuch.body.code).toBe('INVALID_AMOUNT');
      const rest = await kit.t.http.post(refundPath).set(auth(kit.cast.adminToken)).send({}).expect(201);
      expect(rest.body.data).toMatchObject({ amount: 100, paymentStatus: 'refunded' });
      await expect(paymentOf(kit.cast.therapist.token, sessionId)).resolves.toMatchObject({ paymentStatus: 'refunded', payments: [{ amountRefunded: 150 }] });
    });

    it('shows history to the client, the therapist and admins, newest first, paginated', async () => {
      const history = async (token: string, query = '') =>
        (await kit.t.http.get(`/api/integrations/payments/history${query}`).set(auth(token)).expect(200)).body.data;
      const clientView = await eventually(
        () => history(kit.cast.client.token),
        (h) => h.history.filter((i: any) => i.eventType === 'payment_refunded').length === 2,
      );
      const succeeded = clientView.history.find((i: any) => i.eventType === 'payment_succeeded' && i.metadata.paymentIntentId === paymentIntentId);
      expect(succeeded).toEqual({
        eventType: 'payment_succeeded',
        amount: 150,
        currency: 'usd',
        status: 'succeeded',
        metadata: { paymentIntentId, sessionId },
        createdAt: expect.any(String),
      });
      const dates = clientView.history.map((i: any) => i.createdAt);
      expect([...dates].sort().reverse()).toEqual(dates);
      expect((await history(kit.cast.therapist.token)).history.length).toBe(clientView.history.length);
      expect((await history(kit.cast.otherClient.token)).history).toEqual([]);
      expect((await history(kit.cast.otherTherapist.token)).history).toEqual([]);
      expect((await history(kit.cast.adminToken)).history.length).toBeGreaterThanOrEqual(clientView.history.length);
      const first = await history(kit.cast.client.token, '?limit=1');
      expect(first.history).toHaveLength(1);
      const second = await history(kit.cast.client.token, `?limit=1&cursor=${first.nextCursor}`);
      expect(second.history[0]).not.toEqual(first.history[0]);
      expect(second.history[0]).toEqual(clientView.history[1]);
    });
  });

  describe('subscriptions', () => {
    let priceId: string;
    let subscriptionId: string;
    const subscriptions = '/api/integrations/payments/subscriptions';

    beforeAll(async () => {
      priceId = await createPrice(kit.stripe);
    });

    it('subscribes a client with their therapist and answers the seed shape', async () => {
      const response = await kit.t.http
        .post(subscriptions)
        .set(auth(kit.cast.client.token))
        .send({ priceId, sessionFrequency: 'weekly', therapistId: kit.cast.therapist.id })
        .expect(201);
      expect(response.body.data).toEqual({ subscriptionId: expect.stringMatching(/^sub_/), clientSecret: expect.stringMatching(/_secret_/), status: 'incomplete' });
      subscriptionId = response.body.data.subscriptionId;
    });

    it('becomes active by webhook once the first invoice is paid', async () => {
      await kit.stripeControl.request('POST', `subscriptions/${subscriptionId}/advance`, { outcome: 'paid' });
      const data = await eventually(
        async () => (await kit.t.http.get(subscriptions).set(auth(kit.cast.client.token)).expect(200)).body.data,
        (d) => d.subscription?.status === 'active',
      );
      expect(data.subscription).toEqual({
        subscriptionId,
        status: 'active',
        priceId,
        metadata: { therapistId: kit.cast.therapist.id, sessionFrequency: 'weekly' },
        createdAt: expect.any(String),
        currentPeriodEnd: expect.any(String),
        cancelAtPeriodEnd: false,
      });
    });

    it('shows nobody else the subscription and lets nobody else cancel it', async () => {
      const other = await kit.t.http.get(subscriptions).set(auth(kit.cast.otherClient.token)).expect(200);
      expect(other.body.data).toEqual({ subscription: null, subscriptions: [] });
      for (const token of [kit.cast.otherClient.token, kit.cast.therapist.token]) {
        const response = await kit.t.http.delete(`${subscriptions}/${subscriptionId}`).set(auth(token)).expect(404);
        expect(response.body.code).toBe('SUBSCRIPTION_NOT_FOUND');
      }
    });

    it('refuses therapists and foreign therapists', async () => {
      await kit.t.http.post(subscriptions).set(auth(kit.cast.therapist.token)).send({ priceId, sessionFrequency: 'weekly', therapistId: kit.cast.therapist.id }).expect(403);
      const foreign = await kit.t.http
        .post(subscriptions)
        .set(auth(kit.cast.client.token))
        .send({ priceId, sessionFrequency: 'weekly', therapistId: kit.cast.otherTherapist.id })
        .expect(404);
      expect(foreign.body.code).toBe('USER_NOT_FOUND');
    });

    it('cancels at period end for the subscriber, answering the seed message and cancelAt', async () => {
      const response = await kit.t.http.delete(`${subscriptions}/${subscriptionId}`).set(auth(kit.cast.client.token)).expect(200);
      expect(response.body).toEqual({
        success: true,
        message: 'Subscription will be canceled at the end of the current period',
        data: { subscriptionId, cancelAt: expect.any(String) },
      });
      const listed = await kit.t.http.get(subscriptions).set(auth(kit.cast.client.token)).expect(200);
      expect(listed.body.data.subscription).toMatchObject({ cancelAtPeriodEnd: true, status: 'active' });
    });

    it('maps an unknown price to SUBSCRIPTION_ERROR', async () => {
      const response = await kit.t.http
        .post(subscriptions)
        .set(auth(kit.cast.client.token))
        .send({ priceId: 'price_doesnotexist', sessionFrequency: 'monthly', therapistId: kit.cast.therapist.id })
        .expect(400);
      expect(response.body).toMatchObject({ success: false, code: 'SUBSCRIPTION_ERROR' });
    });
  });

  describe('malformed requests', () => {
    const TABLES = ['payments', 'payment_logs', 'idempotency_records', 'webhook_events', 'stripe_customers', 'subscriptions'];
    let session: { id: string };
    let foreignSession: { id: string };
    let unpaidSession: { id: string };

    beforeAll(async () => {
      session = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
      unpaidSession = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
      foreignSession = await createSession(kit.t, kit.cast.otherTherapist.token, kit.cast.otherClient.id);
    });

    type Case = [string, () => any, number, string];
    const cases: Case[] = [
      ['amount as a string', () => kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.client.token)).send({ amount: '150', currency: 'usd' }), 400, 'VALIDATION_ERROR'],
      ['an unknown field', () => kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.client.token)).send({ amount: 150, currency: 'usd', customer: 'cus_x' }), 400, 'VALIDATION_ERROR'],
      ['a session id that is not a uuid', () => kit.t.http.post(intentPath('abc')).set(auth(kit.cast.client.token)).send({ amount: 150, currency: 'usd' }), 400, 'VALIDATION_ERROR'],
      ['a two-letter currency', () => kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.client.token)).send({ amount: 150, currency: 'us' }), 400, 'VALIDATION_ERROR'],
      ['a currency Stripe does not support', () => kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.client.token)).send({ amount: 150, currency: 'xyz' }), 400, 'UNSUPPORTED_CURRENCY'],
      ['no amount', () => kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.client.token)).send({ currency: 'usd' }), 400, 'MISSING_AMOUNT'],
      ['a negative amount', () => kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.client.token)).send({ amount: -5, currency: 'usd' }), 400, 'INVALID_AMOUNT'],
      ['an oversized amount', () => kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.client.token)).send({ amount: 1e21, currency: 'usd' }), 400, 'INVALID_AMOUNT'],
      ['an oversized currency string', () => kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.client.token)).send({ amount: 1, currency: 'u'.repeat(5000) }), 400, 'VALIDATION_ERROR'],
      ['a session that does not exist', () => kit.t.http.post(intentPath('00000000-0000-4000-8000-000000000000')).set(auth(kit.cast.client.token)).send({ amount: 150, currency: 'usd' }), 404, 'SESSION_NOT_FOUND'],
      ['someone else’s session', () => kit.t.http.post(intentPath(foreignSession.id)).set(auth(kit.cast.client.token)).send({ amount: 150, currency: 'usd' }), 404, 'SESSION_NOT_FOUND'],
      ['invalid JSON', () => kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.client.token)).set('content-type', 'application/json').send('{"amount": 1,'), 400, 'INVALID_JSON'],
      ['an over-long Idempotency-Key', () => kit.t.http.post(intentPath(session.id)).set(auth(kit.cast.client.token)).set('Idempotency-Key', 'k'.repeat(300)).send({ amount: 150, currency: 'usd' }), 400, 'VALIDATION_ERROR'],
      ['no token', () => kit.t.http.post(intentPath(session.id)).send({ amount: 150, currency: 'usd' }), 401, 'UNAUTHORIZED'],
      ['a price id that is not one', () => kit.t.http.post('/api/integrations/payments/subscriptions').set(auth(kit.cast.client.token)).send({ priceId: 'gold', sessionFrequency: 'weekly', therapistId: kit.cast.therapist.id }), 400, 'VALIDATION_ERROR'],
      ['an unknown session frequency', () => kit.t.http.post('/api/integrations/payments/subscriptions').set(auth(kit.cast.client.token)).send({ priceId: 'price_abc', sessionFrequency: 'daily', therapistId: kit.cast.therapist.id }), 400, 'VALIDATION_ERROR'],
      ['a therapist id that is not a uuid', () => kit.t.http.post('/api/integrations/payments/subscriptions').set(auth(kit.cast.client.token)).send({ priceId: 'price_abc', sessionFrequency: 'weekly', therapistId: 'dr-smith' }), 400, 'VALIDATION_ERROR'],
      ['someone else’s therapist', () => kit.t.http.post('/api/integrations/payments/subscriptions').set(auth(kit.cast.client.token)).send({ priceId: 'price_abc', sessionFrequency: 'weekly', therapistId: kit.cast.otherTherapist.id }), 404, 'USER_NOT_FOUND'],
      ['a subscription id that is not one', () => kit.t.http.delete('/api/integrations/payments/subscriptions/not-a-sub').set(auth(kit.cast.client.token)), 400, 'VALIDATION_ERROR'],
      ['a subscription that does not exist', () => kit.t.http.delete('/api/integrations/payments/subscriptions/sub_doesnotexist').set(auth(kit.cast.client.token)), 404, 'SUBSCRIPTION_NOT_FOUND'],
      ['a history limit above 100', () => kit.t.http.get('/api/integrations/payments/history?limit=1000').set(auth(kit.cast.client.token)), 400, 'VALIDATION_ERROR'],
      ['a forged history cursor', () => kit.t.http.get('/api/integrations/payments/history?cursor=eyJ4IjoxfQ').set(auth(kit.cast.client.token)), 400, 'VALIDATION_ERROR'],
      ['a refund amount of the wrong type', () => kit.t.http.post(`/api/integrations/payments/sessions/${session.id}/refund`).set(auth(kit.cast.therapist.token)).send({ amount: 'all' }), 400, 'VALIDATION_ERROR'],
      ['a refund of an unpaid session', () => kit.t.http.post(`/api/integrations/payments/sessions/${unpaidSession.id}/refund`).set(auth(kit.cast.therapist.token)).send({}), 409, 'SESSION_NOT_PAID'],
      ['a refund of someone else’s session', () => kit.t.http.post(`/api/integrations/payments/sessions/${foreignSession.id}/refund`).set(auth(kit.cast.therapist.token)).send({}), 404, 'SESSION_NOT_FOUND'],
      ['webhook events listed by a client', () => kit.t.http.get('/api/integrations/payments/webhooks/events').set(auth(kit.cast.client.token)), 403, 'FORBIDDEN'],
      ['a replay of a malformed event id', () => kit.t.http.post('/api/integrations/payments/webhooks/events/nope/replay').set(auth(kit.cast.adminToken)), 400, 'VALIDATION_ERROR'],
      ['a replay of an unknown event', () => kit.t.http.post('/api/integrations/payments/webhooks/events/evt_unknown/replay').set(auth(kit.cast.adminToken)), 404, 'WEBHOOK_EVENT_NOT_FOUND'],
    ];

    it(`answers ${cases.length} malformed requests with a 4xx envelope and stores or sends nothing`, async () => {
      expect(cases.length).toBeGreaterThanOrEqual(15);
      const before = await countRows(kit.t, TABLES);
      const since = await lastSeq(kit.stripeControl);
      for (const [name, send, status, code] of cases) {
        const response = await send();
        expect({ name, status: response.status, body: response.body }).toEqual({
          name,
          status,
          body: expect.objectContaining({ success: false, code, message: expect.any(String) }),
        });
      }
      await expect(countRows(kit.t, TABLES)).resolves.toEqual(before);
      await expect(stripeCalls(kit.stripeControl, since)).resolves.toEqual([]);
    });
  });
});
