import { PaymentService } from '../../src/payment/payment.service.js';
import { createSession } from '../support/test-app.js';
import { auth, db, eventually, lastSeq, startPaymentKit, stripeCalls, type PaymentKit } from './payment-test-kit.js';

describe(`${PaymentService.name}: one open payment intent per session (e2e, Stripe emulator)`, () => {
  let kit: PaymentKit;
  const intentPath = (sessionId: string) => `/api/integrations/payments/sessions/${sessionId}/intent`;
  const pay = (sessionId: string, body: object, key?: string) => {
    const request = kit.t.http.post(intentPath(sessionId)).set(auth(kit.cast.client.token));
    return (key ? request.set('Idempotency-Key', key) : request).send(body);
  };
  const creates = async (since: number) =>
    (await stripeCalls(kit.stripeControl, since)).filter((e) => e.method === 'POST' && e.path === '/v1/payment_intents');

  beforeAll(async () => {
    kit = await startPaymentKit();
  }, 30_000);
  afterAll(() => kit.close());

  it('answers 10 concurrent requests (no key, different keys) with one PaymentIntent, and a later repeat with it too', async () => {
    const session = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
    const since = await lastSeq(kit.stripeControl);
    const body = { amount: 95, currency: 'usd' };
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => pay(session.id, body, i % 2 === 0 ? undefined : `attempt-${i}`)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    const first = answers[0].body.data;
    expect(first).toEqual({ clientSecret: expect.stringMatching(/^pi_.+_secret_/), paymentIntentId: expect.stringMatching(/^pi_/), amount: 95, currency: 'usd' });
    for (const answer of answers) expect(answer.body.data).toEqual(first);
    await expect(creates(since)).resolves.toHaveLength(1);

    // The webhook worker re-reads the intent for its own events; let it finish so the journal below is ours alone.
    await eventually(
      () =>
        db(kit.t).query(
          `SELECT count(*) FILTER (WHERE status IN ('received', 'processing'))::int AS busy, count(*)::int AS n
             FROM webhook_events WHERE payload->'data'->'object'->>'id' = $1`,
          [first.paymentIntentId],
        ),
      ([row]) => row.n > 0 && row.busy === 0,
    );
    const later = await lastSeq(kit.stripeControl);
    const repeat = await pay(session.id, { currency: 'USD', amount: 95 }).expect(201);
    expect(repeat.body.data).toEqual(first);
    await expect(stripeCalls(kit.stripeControl, later)).resolves.toEqual([]);
    const rows = await db(kit.t).query(`SELECT count(*)::int AS n FROM payments WHERE session_id = $1`, [session.id]);
    expect(rows[0].n).toBe(1);
  });

  it('cancels the open intent at Stripe before creating one for another amount', async () => {
    const session = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
    const old = (await pay(session.id, { amount: 90, currency: 'usd' }).expect(201)).body.data;
    const since = await lastSeq(kit.stripeControl);
    const corrected = (await pay(session.id, { amount: 100, currency: 'usd' }).expect(201)).body.data;
    expect(corrected).toMatchObject({ amount: 100, currency: 'usd' });
    expect(corrected.paymentIntentId).not.toBe(old.paymentIntentId);
    const calls = (await stripeCalls(kit.stripeControl, since)).map((e) => `${e.method} ${e.path}`);
    expect(calls.indexOf(`POST /v1/payment_intents/${old.paymentIntentId}/cancel`)).toBeLessThan(calls.indexOf('POST /v1/payment_intents'));
    await expect(kit.stripe.paymentIntents.retrieve(old.paymentIntentId)).resolves.toMatchObject({ status: 'canceled' });
    const statuses = await db(kit.t).query(`SELECT provider_payment_id AS id, status FROM payments WHERE session_id = $1 ORDER BY created_at`, [session.id]);
    expect(statuses).toEqual([
      { id: old.paymentIntentId, status: 'canceled' },
      { id: corrected.paymentIntentId, status: 'requires_payment_method' },
    ]);
  });

  it('refuses another amount with PAYMENT_IN_PROGRESS while the open intent is processing, creating and canceling nothing', async () => {
    const session = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
    const open = (await pay(session.id, { amount: 70, currency: 'usd' }).expect(201)).body.data;
    await kit.stripeControl.request('POST', `payment_intents/${open.paymentIntentId}/settle`, { outcome: 'processing' });
    await eventually(
      async () => (await db(kit.t).query(`SELECT status FROM payments WHERE provider_payment_id = $1`, [open.paymentIntentId]))[0].status,
      (status) => status === 'processing',
    );
    const since = await lastSeq(kit.stripeControl);
    const response = await pay(session.id, { amount: 75, currency: 'usd' }).expect(409);
    expect(response.body).toMatchObject({ success: false, code: 'PAYMENT_IN_PROGRESS' });
    await expect(stripeCalls(kit.stripeControl, since)).resolves.toEqual([]);
  });

  it('still refuses a paid session with SESSION_ALREADY_PAID, for any amount', async () => {
    const session = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
    const { paymentIntentId } = (await pay(session.id, { amount: 60, currency: 'usd' }).expect(201)).body.data;
    await kit.stripeControl.request('POST', `payment_intents/${paymentIntentId}/settle`, { outcome: 'succeed' });
    await eventually(
      async () => (await db(kit.t).query(`SELECT payment_status FROM therapy_sessions WHERE id = $1`, [session.id]))[0].payment_status,
      (status) => status === 'paid',
    );
    const since = await lastSeq(kit.stripeControl);
    for (const body of [{ amount: 60, currency: 'usd' }, { amount: 61, currency: 'usd' }]) {
      const response = await pay(session.id, body).expect(409);
      expect(response.body).toMatchObject({ success: false, code: 'SESSION_ALREADY_PAID' });
    }
    await expect(stripeCalls(kit.stripeControl, since)).resolves.toEqual([]);
  });
});
