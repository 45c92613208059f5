import { JobQueue } from '../../src/jobs/index.js';
import { RECONCILE_QUEUE } from '../../src/payment/payment-reconciliation.service.js';
import { PaymentWebhooksController } from '../../src/payment/payment-webhooks.controller.js';
import { createSession } from '../support/test-app.js';
import { auth, createPrice, db, eventually, ROTATED_SECRET, sign, startPaymentKit, type PaymentKit } from './payment-test-kit.js';

describe(`${PaymentWebhooksController.name} (e2e, Stripe emulator)`, () => {
  let kit: PaymentKit;
  const webhookPath = '/api/integrations/payments/webhooks/stripe';

  beforeAll(async () => {
    // Threshold 0: every pending payment is due for reconciliation when the job runs.
    kit = await startPaymentKit({ PAYMENT_RECONCILE_AFTER_SECONDS: '0' });
  }, 30_000);
  afterAll(() => kit.close());

  const sessionStatus = async (sessionId: string) =>
    (await db(kit.t).query(`SELECT payment_status FROM therapy_sessions WHERE id = $1`, [sessionId]))[0].payment_status as string;

  async function newIntent(amount = 90): Promise<{ sessionId: string; paymentIntentId: string }> {
    const session = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
    const response = await kit.t.http
      .post(`/api/integrations/payments/sessions/${session.id}/intent`)
      .set(auth(kit.cast.client.token))
      .send({ amount, currency: 'usd' })
      .expect(201);
    return { sessionId: session.id, paymentIntentId: response.body.data.paymentIntentId };
  }

  /** Settles an intent at Stripe while its webhooks are lost, and returns Stripe's payment_intent.succeeded event. */
  async function settleSilently(paymentIntentId: string) {
    await kit.stripeControl.request('POST', 'webhooks/drop-next', { count: 2 });
    await kit.stripeControl.request('POST', `payment_intents/${paymentIntentId}/settle`, { outcome: 'succeed' });
    const events = await kit.stripe.events.list({ type: 'payment_intent.succeeded', limit: 100 });
    return events.data.find((e) => (e.data.object as { id: string }).id === paymentIntentId)!;
  }

  describe('signatures', () => {
    const payload = JSON.stringify({ id: 'evt_1sigtest', object: 'event', type: 'customer.created', created: 1, data: { object: { id: 'cus_x' } } });

    it('refuses a bad signature with WEBHOOK_ERROR and keeps only a delivery log line', async () => {
      const response = await kit.t.http
        .post(webhookPath)
        .set('content-type', 'application/json')
        .set('stripe-signature', sign(kit.stripe, payload, 'whsec_wrong'))
        .send(payload)
        .expect(400);
      expect(response.body).toMatchObject({ success: false, code: 'WEBHOOK_ERROR' });
      const stored = await db(kit.t).query(`SELECT count(*)::int AS n FROM webhook_events WHERE provider_event_id = 'evt_1sigtest'`);
      expect(stored[0].n).toBe(0);
      const [line] = await db(kit.t).query(`SELECT * FROM webhook_delivery_logs ORDER BY id DESC LIMIT 1`);
      expect(line).toMatchObject({ signature_valid: false, status_code: 400, webhook_id: 'stripe' });
    });

    it('refuses a missing signature and a stale timestamp', async () => {
      await kit.t.http.post(webhookPath).set('content-type', 'application/json').send(payload).expect(400);
      const stale = sign(kit.stripe, payload, undefined, Math.floor(Date.now() / 1000) - 600);
      const response = await kit.t.http.post(webhookPath).set('content-type', 'application/json').set('stripe-signature', stale).send(payload).expect(400);
      expect(response.body.code).toBe('WEBHOOK_ERROR');
    });

    it('accepts an event signed with the rotated secret', async () => {
      await kit.t.http
        .post(webhookPath)
        .set('content-type', 'application/json')
        .set('stripe-signature', sign(kit.stripe, payload, ROTATED_SECRET))
        .send(payload)
        .expect(200, { success: true, data: { received: true, duplicate: false } });
      const [event] = await eventually(
        () => db(kit.t).query(`SELECT status FROM webhook_events WHERE provider_event_id = 'evt_1sigtest'`),
        (rows: any[]) => rows[0]?.status === 'ignored',
      );
      expect(event.status).toBe('ignored');
    });
  });

  it('applies the same event delivered 50 times concurrently exactly once', async () => {
    const { sessionId, paymentIntentId } = await newIntent();
    const event = await settleSilently(paymentIntentId);
    const payload = JSON.stringify(event);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () =>
        kit.t.http.post(webhookPath).set('content-type', 'application/json').set('stripe-signature', sign(kit.stripe, payload)).send(payload),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(responses.filter((r) => r.body.data.duplicate === false)).toHaveLength(1);
    await eventually(() => sessionStatus(sessionId), (s) => s === 'paid');
    const q = (sql: string) => db(kit.t).query(sql, [event.id]);
    await expect(q(`SELECT count(*)::int AS n, min(status) AS status, max(attempts) AS attempts FROM webhook_events WHERE provider_event_id = $1`)).resolves.toEqual([
      { n: 1, status: 'processed', attempts: 1 },
    ]);
    await expect(q(`SELECT count(*)::int AS n FROM payment_logs WHERE stripe_event_id = $1`)).resolves.toEqual([{ n: 1 }]);
    await expect(q(`SELECT count(*)::int AS n, count(*) FILTER (WHERE duplicate)::int AS duplicates FROM webhook_delivery_logs WHERE provider_event_id = $1`)).resolves.toEqual([
      { n: 50, duplicates: 49 },
    ]);
  });

  it('ends in Stripe’s state after a subscription’s events arrive shuffled (and twice)', async () => {
    const priceId = await createPrice(kit.stripe, 9000);
    await kit.stripeControl.request('DELETE', `webhook_endpoints?url=${encodeURIComponent(kit.webhookUrl)}`);
    try {
      const created = await kit.t.http
        .post('/api/integrations/payments/subscriptions')
        .set(auth(kit.cast.client.token))
        .send({ priceId, sessionFrequency: 'biweekly', therapistId: kit.cast.therapist.id })
        .expect(201);
      const subscriptionId: string = created.body.data.subscriptionId;
      await kit.stripeControl.request('POST', `subscriptions/${subscriptionId}/advance`, { outcome: 'paid' });
      await kit.stripeControl.request('POST', `subscriptions/${subscriptionId}/advance`, { outcome: 'failed' });
      await kit.stripeControl.request('POST', `subscriptions/${subscriptionId}/advance`, { outcome: 'paid' });
      await kit.stripe.subscriptions.update(subscriptionId, { cancel_at_period_end: true });
      await kit.stripeControl.request('POST', `subscriptions/${subscriptionId}/advance`, { outcome: 'paid' });
      const all = await kit.stripe.events.list({ limit: 100 });
      const ours = all.data.filter((e) => {
        const object = e.data.object as any;
        return object.id === subscriptionId || object.parent?.subscription_details?.subscription === subscriptionId;
      });
      const handled = ours.filter((e) => /^(customer\.subscription\.|invoice\.pai|invoice\.payment_failed)/.test(e.type));
      expect(handled.length).toBeGreaterThanOrEqual(6);
      const shuffled = [...handled, ...handled].sort(() => Math.random() - 0.5);
      for (const event of shuffled) {
        const payload = JSON.stringify(event);
        await kit.t.http.post(webhookPath).set('content-type', 'application/json').set('stripe-signature', sign(kit.stripe, payload)).send(payload).expect(200);
      }
      const ids = handled.map((e) => e.id);
      await eventually(
        () => db(kit.t).query(`SELECT count(*)::int AS n FROM webhook_events WHERE provider_event_id = ANY($1) AND status = 'processed'`, [ids]),
        (rows: any[]) => rows[0].n === ids.length,
      );
      const truth = await kit.stripe.subscriptions.retrieve(subscriptionId);
      const [local] = await db(kit.t).query(`SELECT status, cancel_at_period_end, current_period_end FROM subscriptions WHERE provider_subscription_id = $1`, [subscriptionId]);
      expect(local).toEqual({
        status: truth.status,
        cancel_at_period_end: truth.cancel_at_period_end,
        current_period_end: new Date(truth.items.data[0].current_period_end * 1000),
      });
      expect(truth.status).toBe('canceled');
      const history = await db(kit.t).query(`SELECT count(*)::int AS n FROM payment_logs WHERE stripe_event_id = ANY($1)`, [ids]);
      expect(history[0].n).toBe(ids.length);
    } finally {
      await kit.stripeControl.request('POST', 'webhook_endpoints', { url: kit.webhookUrl, secret: 'whsec_sandbox' });
    }
  });

  it('repairs a payment whose webhooks were lost through the reconciliation job', async () => {
    const { sessionId, paymentIntentId } = await newIntent(70);
    await settleSilently(paymentIntentId);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await sessionStatus(sessionId)).toBe('pending');
    await kit.t.app.get(JobQueue).enqueue(RECONCILE_QUEUE, {});
    await eventually(() => sessionStatus(sessionId), (s) => s === 'paid');
    const [row] = await db(kit.t).query(`SELECT event_type, status, metadata FROM payment_logs WHERE session_id = $1 AND event_type = 'payment_succeeded'`, [sessionId]);
    expect(row).toEqual({ event_type: 'payment_succeeded', status: 'succeeded', metadata: { paymentIntentId, sessionId, source: 'reconciliation' } });
  });

  it('processes an event stored but never queued (the process died before its enqueue) through reconciliation', async () => {
    const { paymentIntentId } = await newIntent(80);
    const event = await settleSilently(paymentIntentId);
    // What a crash between the commit and the fire-and-forget enqueue leaves behind: a 'received' row and no job.
    await db(kit.t).query(
      `INSERT INTO webhook_events (provider, provider_event_id, type, payload, received_at) VALUES ('stripe', $1, $2, $3, now() - interval '2 minutes')`,
      [event.id, event.type, JSON.stringify(event)],
    );
    await kit.t.app.get(JobQueue).enqueue(RECONCILE_QUEUE, {});
    const [row] = await eventually(
      () => db(kit.t).query(`SELECT status, attempts FROM webhook_events WHERE provider_event_id = $1`, [event.id]),
      (rows: any[]) => rows[0]?.status === 'processed',
    );
    expect(row).toEqual({ status: 'processed', attempts: 1 });
  });

  it('keeps a failed event visible to admins and replays it', async () => {
    const { sessionId, paymentIntentId } = await newIntent(60);
    const event = await settleSilently(paymentIntentId);
    // Stripe answers 404 for the re-read: not retryable, so the event fails for good until an admin replays it.
    await kit.stripeControl.addFault({ method: 'GET', path: `/v1/payment_intents/${paymentIntentId}$`, status: 404, count: 1 });
    const payload = JSON.stringify(event);
    await kit.t.http.post(webhookPath).set('content-type', 'application/json').set('stripe-signature', sign(kit.stripe, payload)).send(payload).expect(200);
    const failed = await eventually(
      async () => (await kit.t.http.get('/api/integrations/payments/webhooks/events?status=failed').set(auth(kit.cast.adminToken)).expect(200)).body.data.events,
      (events: any[]) => events.some((e) => e.eventId === event.id),
    );
    expect(failed.find((e: any) => e.eventId === event.id)).toMatchObject({ type: 'payment_intent.succeeded', status: 'failed', attempts: 1, lastError: expect.any(String) });
    expect(await sessionStatus(sessionId)).toBe('pending');
    const replayed = await kit.t.http.post(`/api/integrations/payments/webhooks/events/${event.id}/replay`).set(auth(kit.cast.adminToken)).expect(202);
    expect(replayed.body.data).toMatchObject({ eventId: event.id });
    await eventually(() => sessionStatus(sessionId), (s) => s === 'paid');
  });
});
