import { IdempotencyService } from '../../src/payment/idempotency.service.js';
import { createSession } from '../support/test-app.js';
import { auth, db, lastSeq, startPaymentKit, stripeCalls, type PaymentKit } from './payment-test-kit.js';

describe(`${IdempotencyService.name}: client secrets sealed at rest (e2e, Stripe emulator)`, () => {
  let kit: PaymentKit;
  const pay = (sessionId: string, body: object, key?: string) => {
    const request = kit.t.http.post(`/api/integrations/payments/sessions/${sessionId}/intent`).set(auth(kit.cast.client.token));
    return (key ? request.set('Idempotency-Key', key) : request).send(body);
  };
  const rawRows = async (paymentIntentId: string, key: string) => {
    const [payment] = await db(kit.t).query(`SELECT client_secret FROM payments WHERE provider_payment_id = $1`, [paymentIntentId]);
    const [record] = await db(kit.t).query(`SELECT response::text AS response FROM idempotency_records WHERE user_id = $1 AND key = $2`, [
      kit.cast.client.id,
      key,
    ]);
    return { secret: payment.client_secret as string, response: record.response as string };
  };

  beforeAll(async () => {
    kit = await startPaymentKit();
  }, 30_000);
  afterAll(() => kit.close());

  it('stores neither the payment nor the idempotency record with the client secret readable, and still replays it', async () => {
    const session = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
    const body = { amount: 80, currency: 'usd' };
    const first = (await pay(session.id, body, 'sealed-1').expect(201)).body.data;
    expect(first.clientSecret).toMatch(/^pi_.+_secret_/);

    const raw = await rawRows(first.paymentIntentId, 'sealed-1');
    expect(raw.secret).toMatch(/^v1\./);
    expect(raw.secret).not.toContain('_secret_');
    expect(raw.response).not.toContain('_secret_');
    expect(raw.response).not.toContain(first.clientSecret);

    const since = await lastSeq(kit.stripeControl);
    await expect(pay(session.id, body, 'sealed-1').expect(201)).resolves.toMatchObject({ body: { data: first } });
    // Without a key the open intent comes back from the sealed payments row, not from Stripe.
    await expect(pay(session.id, body).expect(201)).resolves.toMatchObject({ body: { data: first } });
    await expect(stripeCalls(kit.stripeControl, since)).resolves.toEqual([]);
  });

  it('does not open a sealed secret copied onto another payment, and asks Stripe for that one instead', async () => {
    const a = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
    const b = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
    const intentA = (await pay(a.id, { amount: 60, currency: 'usd' }).expect(201)).body.data;
    const intentB = (await pay(b.id, { amount: 60, currency: 'usd' }).expect(201)).body.data;
    await db(kit.t).query(
      `UPDATE payments SET client_secret = (SELECT client_secret FROM payments WHERE provider_payment_id = $1) WHERE provider_payment_id = $2`,
      [intentA.paymentIntentId, intentB.paymentIntentId],
    );
    const since = await lastSeq(kit.stripeControl);
    await expect(pay(b.id, { amount: 60, currency: 'usd' }).expect(201)).resolves.toMatchObject({ body: { data: intentB } });
    const calls = (await stripeCalls(kit.stripeControl, since)).map((e) => `${e.method} ${e.path}`);
    expect(calls).toEqual([`GET /v1/payment_intents/${intentB.paymentIntentId}`]);
  });

  it('treats a plain idempotency response from before sealing as unreadable: runs again and keeps the answer sealed', async () => {
    const session = await createSession(kit.t, kit.cast.therapist.token, kit.cast.client.id);
    const body = { amount: 70, currency: 'usd' };
    const first = (await pay(session.id, body, 'legacy-1').expect(201)).body.data;
    await db(kit.t).query(`UPDATE idempotency_records SET response = $3::jsonb WHERE user_id = $1 AND key = $2`, [
      kit.cast.client.id,
      'legacy-1',
      JSON.stringify(first),
    ]);
    await expect(pay(session.id, body, 'legacy-1').expect(201)).resolves.toMatchObject({ body: { data: first } });
    const raw = await rawRows(first.paymentIntentId, 'legacy-1');
    expect(raw.response).not.toContain('_secret_');
  });
});
