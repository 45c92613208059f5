import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { ADMIN, createCast, startTestApp, type TestApp } from '../support/test-app.js';

describe('Auth (e2e)', () => {
  let t: TestApp;
  let cast: Awaited<ReturnType<typeof createCast>>;

  beforeAll(async () => {
    t = await startTestApp({ LOGIN_RATE_LIMIT: '5' });
    cast = await createCast(t);
  });
  afterAll(() => t.close());

  it('logs the sandbox admin in with a JWT carrying sub, role and email, issuer and audience', async () => {
    const response = await t.http.post('/api/auth/login').send({ email: ADMIN.email, password: ADMIN.password }).expect(200);
    expect(response.body.success).toBe(true);
    const claims = jwt.decode(response.body.data.accessToken) as Record<string, unknown>;
    expect(claims).toMatchObject({ role: 'admin', email: ADMIN.email, iss: t.config.auth.jwtIssuer, aud: t.config.auth.jwtAudience });
    expect(typeof claims.sub).toBe('string');
    expect(Number(claims.exp) - Number(claims.iat)).toBe(t.config.auth.jwtTtlSeconds);
  });

  it('matches the email case-insensitively', async () => {
    await t.http.post('/api/auth/login').send({ email: ADMIN.email.toUpperCase(), password: ADMIN.password }).expect(200);
  });

  it('answers a wrong password and an unknown account the same way', async () => {
    const wrong = await t.http.post('/api/auth/login').send({ email: ADMIN.email, password: 'not-the-password' }).expect(401);
    const unknown = await t.http.post('/api/auth/login').send({ email: 'nobody@example.test', password: 'whatever' }).expect(401);
    expect(wrong.body).toMatchObject({ success: false, code: 'INVALID_CREDENTIALS' });
    expect(unknown.body.message).toBe(wrong.body.message);
  });

  it('rate-limits login attempts per account', async () => {
    const email = 'target@example.test';
    for (let attempt = 0; attempt < 5; attempt += 1) {
      await t.http.post('/api/auth/login').send({ email, password: 'guess' }).expect(401);
    }
    const limited = await t.http.post('/api/auth/login').send({ email, password: 'guess' }).expect(429);
    expect(limited.body).toMatchObject({ success: false, code: 'RATE_LIMITED' });
  });

  it('refuses a duplicate email whatever its case, without creating a second user', async () => {
    const { adminToken } = cast;
    const body = { email: 'Dup@Example.test', name: 'A', role: 'client', timeZone: 'UTC', password: 'long-enough-password' };
    await t.http.post('/api/users').set('authorization', `Bearer ${adminToken}`).send(body).expect(201);
    const again = await t.http
      .post('/api/users')
      .set('authorization', `Bearer ${adminToken}`)
      .send({ ...body, email: 'dup@example.TEST' })
      .expect(409);
    expect(again.body.code).toBe('EMAIL_TAKEN');
    const count = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM users WHERE lower(email) = 'dup@example.test'`);
    expect(count[0].n).toBe(1);
  });

  it('lets only admins create users and everyone read themself', async () => {
    const { therapist, client } = cast;
    const body = { email: 'x@example.test', name: 'X', role: 'client', timeZone: 'UTC', password: 'long-enough-password' };
    const forbidden = await t.http.post('/api/users').set('authorization', `Bearer ${therapist.token}`).send(body).expect(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
    const me = await t.http.get('/api/users/me').set('authorization', `Bearer ${client.token}`).expect(200);
    expect(me.body.data).toMatchObject({ id: client.id, role: 'client', therapistId: therapist.id });
    expect(me.body.data.passwordHash).toBeUndefined();
  });

  it('lists a therapist only their own clients', async () => {
    const { therapist, client, otherClient } = cast;
    const response = await t.http.get('/api/users').set('authorization', `Bearer ${therapist.token}`).expect(200);
    const ids = response.body.data.map((user: { id: string }) => user.id);
    expect(ids).toContain(client.id);
    expect(ids).not.toContain(otherClient.id);
    await t.http.get('/api/users').set('authorization', `Bearer ${client.token}`).expect(403);
  });

});
