import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { DataSource } from 'typeorm';
import { createCast, createSession, startTestApp, type TestApp } from '../support/test-app.js';

interface Case {
  name: string;
  send: (t: TestApp) => Promise<{ status: number; body: Record<string, unknown> }>;
  status: number;
  code: string;
}

/** Row counts of every foundation table: a refused request must leave them all as they were. */
async function snapshot(t: TestApp): Promise<Record<string, number>> {
  const rows = await t.app.get(DataSource).query(`
    SELECT (SELECT count(*) FROM users)::int AS users,
           (SELECT count(*) FROM therapy_sessions)::int AS sessions,
           (SELECT sum(version) FROM therapy_sessions)::int AS versions,
           (SELECT count(*) FROM therapy_sessions WHERE status <> 'scheduled')::int AS changed`);
  return rows[0];
}

describe('Malformed requests (e2e)', () => {
  let t: TestApp;
  let cast: Awaited<ReturnType<typeof createCast>>;
  let sessionId: string;
  const future = (hours: number) => new Date(Date.now() + 86_400_000 + hours * 3_600_000).toISOString();

  beforeAll(async () => {
    t = await startTestApp({ BODY_LIMIT_BYTES: String(64 * 1024) });
    cast = await createCast(t);
    sessionId = (await createSession(t, cast.therapist.token, cast.client.id)).id;
  });
  afterAll(() => t.close());

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
  const validSession = () => ({ clientId: cast.client.id, startTime: future(0), endTime: future(1), timezone: 'Europe/Berlin' });
  const postSession = (t: TestApp, body: unknown) =>
    t.http.post('/api/sessions').set(bearer(cast.therapist.token)).send(body as object);
  const sign = (claims: object, secret: string, options: jwt.SignOptions = {}) =>
    jwt.sign(claims, secret, { algorithm: 'HS256', issuer: t.config.auth.jwtIssuer, audience: t.config.auth.jwtAudience, expiresIn: 600, ...options });

  const cases: Case[] = [
    { name: 'clientId not a UUID', send: (t) => postSession(t, { ...validSession(), clientId: 'abc' }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'clientId a number', send: (t) => postSession(t, { ...validSession(), clientId: 42 }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'missing clientId', send: (t) => postSession(t, { ...validSession(), clientId: undefined }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'unknown field', send: (t) => postSession(t, { ...validSession(), notes: 'x' }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'startTime not a date', send: (t) => postSession(t, { ...validSession(), startTime: 'tomorrow' }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'startTime without offset', send: (t) => postSession(t, { ...validSession(), startTime: '2030-01-01T10:00:00' }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'impossible date', send: (t) => postSession(t, { ...validSession(), startTime: '2030-02-30T10:00:00Z' }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'startTime a number', send: (t) => postSession(t, { ...validSession(), startTime: 1767261600000 }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'end before start', send: (t) => postSession(t, { ...validSession(), startTime: future(2), endTime: future(1) }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'end equals start', send: (t) => postSession(t, { ...validSession(), startTime: future(1), endTime: future(1) }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'longer than 12 hours', send: (t) => postSession(t, { ...validSession(), startTime: future(0), endTime: future(13) }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'fake time zone', send: (t) => postSession(t, { ...validSession(), timezone: 'Mars/Olympus_Mons' }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'offset instead of zone', send: (t) => postSession(t, { ...validSession(), timezone: '+01:00' }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'body is an array', send: (t) => postSession(t, [validSession()]), status: 400, code: 'VALIDATION_ERROR' },
    {
      name: 'broken JSON',
      send: (t) => t.http.post('/api/sessions').set(bearer(cast.therapist.token)).set('content-type', 'application/json').send('{"clientId": '),
      status: 400,
      code: 'INVALID_JSON',
    },
    {
      name: 'JSON content type with an empty body where one is required',
      send: (t) => t.http.post('/api/sessions').set(bearer(cast.therapist.token)).set('content-type', 'application/json').send(''),
      status: 400,
      code: 'VALIDATION_ERROR',
    },
    {
      name: 'JSON with a __proto__ key',
      send: (t) => t.http.post('/api/sessions').set(bearer(cast.therapist.token)).set('content-type', 'application/json').send('{"__proto__": {"admin": true}}'),
      status: 400,
      code: 'INVALID_JSON',
    },
    {
      name: 'body over the size limit (1 MB)',
      send: (t) => postSession(t, { ...validSession(), padding: 'x'.repeat(1024 * 1024) }),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'unsupported content type',
      send: (t) => t.http.post('/api/sessions').set(bearer(cast.therapist.token)).set('content-type', 'text/csv').send('a,b'),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    { name: 'missing token', send: (t) => t.http.post('/api/sessions').send(validSession()), status: 401, code: 'UNAUTHORIZED' },
    { name: 'garbage token', send: (t) => t.http.post('/api/sessions').set(bearer('not.a.jwt')).send(validSession()), status: 401, code: 'UNAUTHORIZED' },
    {
      name: 'expired token',
      send: (t) => {
        const expired = jwt.sign(
          { sub: cast.therapist.id, role: 'therapist', email: cast.therapist.email, exp: Math.floor(Date.now() / 1000) - 60 },
          t.config.auth.jwtSecret,
          { algorithm: 'HS256', issuer: t.config.auth.jwtIssuer, audience: t.config.auth.jwtAudience },
        );
        return t.http.post('/api/sessions').set(bearer(expired)).send(validSession());
      },
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'token signed with another secret',
      send: (t) => t.http.post('/api/sessions').set(bearer(sign({ sub: cast.therapist.id, role: 'therapist', email: cast.therapist.email }, 'another-secret-that-is-long-enough-0123'))).send(validSession()),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'alg:none token',
      send: (t) => {
        const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
        const payload = Buffer.from(JSON.stringify({ sub: cast.therapist.id, role: 'therapist', email: cast.therapist.email, iss: t.config.auth.jwtIssuer, aud: t.config.auth.jwtAudience, exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
        return t.http.post('/api/sessions').set(bearer(`${header}.${payload}.`)).send(validSession());
      },
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'token for another audience',
      send: (t) => t.http.post('/api/sessions').set(bearer(sign({ sub: cast.therapist.id, role: 'therapist', email: cast.therapist.email }, t.config.auth.jwtSecret, { audience: 'someone-else' }))).send(validSession()),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    {
      name: 'token claiming a role that does not exist',
      send: (t) => t.http.post('/api/sessions').set(bearer(sign({ sub: cast.therapist.id, role: 'superuser', email: cast.therapist.email }, t.config.auth.jwtSecret))).send(validSession()),
      status: 401,
      code: 'UNAUTHORIZED',
    },
    { name: 'session id not a UUID', send: (t) => t.http.get('/api/sessions/123').set(bearer(cast.therapist.token)), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'PATCH with a bad status', send: (t) => t.http.patch(`/api/sessions/${sessionId}`).set(bearer(cast.therapist.token)).send({ status: 'deleted' }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'PATCH moving the end before the start', send: (t) => t.http.patch(`/api/sessions/${sessionId}`).set(bearer(cast.therapist.token)).send({ endTime: '2000-01-01T00:00:00Z' }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'PATCH by the client', send: (t) => t.http.patch(`/api/sessions/${sessionId}`).set(bearer(cast.client.token)).send({ timezone: 'UTC' }), status: 403, code: 'FORBIDDEN' },
    { name: 'PATCH of another therapist’s session', send: (t) => t.http.patch(`/api/sessions/${sessionId}`).set(bearer(cast.otherTherapist.token)).send({ timezone: 'UTC' }), status: 404, code: 'SESSION_NOT_FOUND' },
    { name: 'DELETE of a session that does not exist', send: (t) => t.http.delete(`/api/sessions/${randomUUID()}`).set(bearer(cast.therapist.token)), status: 404, code: 'SESSION_NOT_FOUND' },
    { name: 'list with limit 0', send: (t) => t.http.get('/api/sessions?limit=0').set(bearer(cast.therapist.token)), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'list with a forged cursor', send: (t) => t.http.get('/api/sessions?cursor=bm90LWEtY3Vyc29y').set(bearer(cast.therapist.token)), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'unknown route', send: (t) => t.http.get('/api/nothing-here').set(bearer(cast.therapist.token)), status: 404, code: 'NOT_FOUND' },
    { name: 'user with a weak password', send: (t) => t.http.post('/api/users').set(bearer(cast.adminToken)).send({ email: 'a@b.test', name: 'A', role: 'client', timeZone: 'UTC', password: 'short' }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'user with an unknown role', send: (t) => t.http.post('/api/users').set(bearer(cast.adminToken)).send({ email: 'a@b.test', name: 'A', role: 'root', timeZone: 'UTC', password: 'long-enough-password' }), status: 400, code: 'VALIDATION_ERROR' },
    { name: 'login with an email that is not one', send: (t) => t.http.post('/api/auth/login').send({ email: 'nope', password: 'x' }), status: 400, code: 'VALIDATION_ERROR' },
  ];

  it('has at least 25 cases', () => expect(cases.length).toBeGreaterThanOrEqual(25));

  it.each(cases.map((c) => [c.name, c] as const))('%s: answers the right 4xx in the envelope and changes nothing', async (_name, c) => {
    const before = await snapshot(t);
    const response = await c.send(t);
    expect(response.status).toBe(c.status);
    expect(response.body).toMatchObject({ success: false, code: c.code });
    expect(typeof response.body.message).toBe('string');
    expect(JSON.stringify(response.body)).not.toMatch(/stack|QueryFailed|at \w+ \(/);
    expect(await snapshot(t)).toEqual(before);
  });
});
