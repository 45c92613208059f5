import { DataSource } from 'typeorm';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { CalendarController } from '../../src/calendar/calendar.controller.js';
import { createCast, createSession, startTestApp, type TestApp } from '../support/test-app.js';
import { auth, connectOAuth } from './calendar-support.js';

type Cast = Awaited<ReturnType<typeof createCast>>;

describe(`${CalendarController.name} bad input`, () => {
  let sandbox: Sandbox;
  let t: TestApp;
  let cast: Cast;
  let sessionId: string;
  let foreignState = '';

  beforeAll(async () => {
    sandbox = await startSandbox({ providers: ['google', 'microsoft'], smtp: false, page: false });
    t = await startTestApp(sandbox.env());
    cast = await createCast(t);
    expect((await connectOAuth(t, cast.therapist.token, 'google', cast.therapist.email)).status).toBe(200);
    sessionId = (await createSession(t, cast.therapist.token, cast.client.id)).id;
    const other = await t.http.get('/api/integrations/calendar/google/authorize-url').set(auth(cast.otherTherapist.token)).expect(200);
    foreignState = other.body.data.state;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
  });

  const event = { title: 'Therapy Session', startTime: '2026-06-01T10:00:00Z', endTime: '2026-06-01T11:00:00Z', provider: 'google' };
  type Case = [name: string, method: 'get' | 'post' | 'put' | 'delete', path: () => string, body: unknown, status: number, code: string, token?: () => string];
  const cases: Case[] = [
    ['connect without authCode', 'post', () => '/api/integrations/calendar/google/connect', {}, 400, 'MISSING_AUTH_CODE'],
    ['connect with a numeric authCode', 'post', () => '/api/integrations/calendar/google/connect', { authCode: 12345 }, 400, 'VALIDATION_ERROR'],
    ['connect with an unknown field', 'post', () => '/api/integrations/calendar/google/connect', { authCode: 'x', scope: 'all' }, 400, 'VALIDATION_ERROR'],
    ['connect with an oversized code', 'post', () => '/api/integrations/calendar/google/connect', { authCode: 'x'.repeat(5000) }, 400, 'VALIDATION_ERROR'],
    ["connect with another user's state", 'post', () => '/api/integrations/calendar/google/connect', { authCode: 'code', state: 'FOREIGN' }, 400, 'INVALID_OAUTH_STATE'],
    ['connect with an unknown state', 'post', () => '/api/integrations/calendar/google/connect', { authCode: 'code', state: 'never-issued-state' }, 400, 'INVALID_OAUTH_STATE'],
    ['connect an unknown provider', 'post', () => '/api/integrations/calendar/yahoo/connect', { authCode: 'code' }, 400, 'PROVIDER_NOT_SUPPORTED'],
    ['authorize-url for apple', 'get', () => '/api/integrations/calendar/apple/authorize-url', undefined, 400, 'PROVIDER_NOT_SUPPORTED'],
    ['apple connect without password', 'post', () => '/api/integrations/calendar/apple/connect', { username: 'a' }, 400, 'VALIDATION_ERROR'],
    ['apple connect with a non-URL server', 'post', () => '/api/integrations/calendar/apple/connect', { username: 'a', appPassword: 'b', serverUrl: 'file:///etc/passwd' }, 400, 'VALIDATION_ERROR'],
    ['event with a local time without offset', 'post', () => '/api/integrations/calendar/events', { ...event, startTime: '2026-06-01T10:00:00' }, 400, 'VALIDATION_ERROR'],
    ['event ending before it starts', 'post', () => '/api/integrations/calendar/events', { ...event, endTime: '2026-06-01T09:00:00Z' }, 400, 'VALIDATION_ERROR'],
    ['event with an unknown provider', 'post', () => '/api/integrations/calendar/events', { ...event, provider: 'yahoo' }, 400, 'VALIDATION_ERROR'],
    ['event with an oversized title', 'post', () => '/api/integrations/calendar/events', { ...event, title: 'x'.repeat(201) }, 400, 'VALIDATION_ERROR'],
    ['event with a bad time zone', 'post', () => '/api/integrations/calendar/events', { ...event, timeZone: 'Mars/Olympus' }, 400, 'VALIDATION_ERROR'],
    ['event in a calendar not connected', 'post', () => '/api/integrations/calendar/events', { ...event, provider: 'outlook' }, 404, 'CALENDAR_NOT_CONNECTED'],
    ['sync with a bad session id', 'post', () => '/api/integrations/calendar/sessions/not-a-uuid/sync', { provider: 'google' }, 400, 'VALIDATION_ERROR'],
    ['sync without provider', 'post', () => `/api/integrations/calendar/sessions/${sessionId}/sync`, {}, 400, 'VALIDATION_ERROR'],
    ['sync with an array provider', 'post', () => `/api/integrations/calendar/sessions/${sessionId}/sync`, { provider: ['google'] }, 400, 'VALIDATION_ERROR'],
    ["sync of another therapist's session", 'post', () => `/api/integrations/calendar/sessions/${sessionId}/sync`, { provider: 'google' }, 404, 'SESSION_NOT_FOUND', () => cast.otherTherapist.token],
    ["sync of another client's session", 'post', () => `/api/integrations/calendar/sessions/${sessionId}/sync`, { provider: 'google' }, 404, 'SESSION_NOT_FOUND', () => cast.otherClient.token],
    ['sync of a session that does not exist', 'post', () => '/api/integrations/calendar/sessions/00000000-0000-4000-8000-000000000000/sync', { provider: 'google' }, 404, 'SESSION_NOT_FOUND'],
    ["events of another therapist's session", 'get', () => `/api/integrations/calendar/sessions/${sessionId}/events`, undefined, 404, 'SESSION_NOT_FOUND', () => cast.otherTherapist.token],
    ['disconnect with a non-boolean removeEvents', 'delete', () => '/api/integrations/calendar/google/disconnect?removeEvents=maybe', undefined, 400, 'VALIDATION_ERROR'],
    ['disconnect a calendar never connected', 'delete', () => '/api/integrations/calendar/outlook/disconnect', undefined, 404, 'CALENDAR_NOT_CONNECTED'],
    ['preferences with a string flag', 'put', () => '/api/integrations/calendar/preferences', { showClientInitials: 'yes' }, 400, 'VALIDATION_ERROR'],
    ['integrations without a token', 'get', () => '/api/integrations/calendar/integrations', undefined, 401, 'UNAUTHORIZED', () => ''],
  ];

  it.each(cases.map((row) => ({ name: row[0], row })))('$name: a 4xx with a code, nothing stored or sent', async ({ row }) => {
    const [, method, path, body, status, code, token] = row;
    const db = t.app.get(DataSource);
    const counts = async () => (await db.query(`SELECT (SELECT count(*) FROM calendar_events) AS events, (SELECT count(*) FROM connections) AS connections, (SELECT count(*) FROM oauth_states WHERE consumed_at IS NOT NULL) AS used, (SELECT count(*) FROM calendar_preferences) AS prefs`))[0];
    const journals = async () => Promise.all([sandbox.control('google').journal(), sandbox.control('microsoft').journal()]).then(([g, m]) => g.entries.length + m.entries.length);
    const before = [await counts(), await journals()];
    const bearer = token ? token() : cast.therapist.token;
    let request = t.http[method](path());
    if (bearer) request = request.set(auth(bearer));
    const payload = body && typeof body === 'object' && (body as { state?: string }).state === 'FOREIGN' ? { ...(body as object), state: foreignState } : body;
    const response = payload === undefined ? await request : await request.send(payload as object);
    expect(response.status).toBe(status);
    expect(response.body).toMatchObject({ success: false, code, message: expect.any(String) });
    expect([await counts(), await journals()]).toEqual(before);
  });
});
