import { DataSource } from 'typeorm';
import { getBasicAuthHeaders } from 'tsdav';
import type { Sandbox } from '../../sandbox/index.js';
import { CalendarController } from '../../src/calendar/calendar.controller.js';
import { CalendarService } from '../../src/calendar/calendar.service.js';
import { googleEventId } from '../../src/calendar/providers/google/google-event.mapper.js';
import type { Radicale } from '../support/radicale.js';
import { createCast, createSession, type TestApp } from '../support/test-app.js';
import { auth, CALDAV_PASSWORD, connectOAuth, eventually, startCalendarKit, type CalendarKit } from './calendar-support.js';

type Cast = Awaited<ReturnType<typeof createCast>>;

describe(`${CalendarController.name} (e2e)`, () => {
  let sandbox: Sandbox;
  let radicale: Radicale;
  let t: TestApp;
  let cast: Cast;

  let kit: CalendarKit;

  beforeAll(async () => {
    kit = await startCalendarKit(['google', 'microsoft']);
    ({ sandbox, radicale, t, cast } = kit);
  }, 60_000);
  afterAll(() => kit?.stop());

  const googleEvents = async (email: string) => (await sandbox.control('google').request<{ events: Array<{ calendarId: string; event: Record<string, any> }> }>('GET', `events?calendarId=${encodeURIComponent(email)}`)).events.map((entry) => entry.event);
  const googleEvent = async (email: string, sessionId: string) => (await googleEvents(email)).filter((event) => event.id === googleEventId(sessionId));
  const caldavObjects = async () => {
    const [row] = await t.app.get(DataSource).query(`SELECT metadata FROM connections WHERE provider = 'apple' AND user_id = $1`, [cast.therapist.id]);
    const response = await fetch(row.metadata.calendarUrl, { method: 'PROPFIND', headers: { ...getBasicAuthHeaders({ username: 'therapist', password: CALDAV_PASSWORD }), depth: '1' } });
    const body = await response.text();
    return [...body.matchAll(/<[^>]*href>([^<]+\.ics)</g)].map((match) => match[1]!);
  };
  const caldavObject = async (sessionId: string) => {
    const [row] = await t.app.get(DataSource).query(`SELECT metadata FROM connections WHERE provider = 'apple' AND user_id = $1`, [cast.therapist.id]);
    const response = await fetch(new URL(`${sessionId}.ics`, row.metadata.calendarUrl), { headers: getBasicAuthHeaders({ username: 'therapist', password: CALDAV_PASSWORD }) });
    return response.ok ? response.text() : null;
  };
  const sync = (token: string, sessionId: string, provider: string) =>
    t.http.post(`/api/integrations/calendar/sessions/${sessionId}/sync`).set(auth(token)).send({ provider });

  it('lists the connections with status, account and last sync, never tokens', async () => {
    const response = await t.http.get('/api/integrations/calendar/integrations').set(auth(cast.therapist.token)).expect(200);
    expect(response.body.data.integrations.map((entry: { provider: string }) => entry.provider).sort()).toEqual(['apple', 'google', 'outlook']);
    expect(response.body.data.integrations[0]).toMatchObject({ status: 'active', connectedAt: expect.any(String), lastUpdated: expect.any(String) });
    expect(JSON.stringify(response.body)).not.toMatch(/ya29|app-specific-pass|refresh/);
  });

  it('answers the seed envelope on connect', async () => {
    const response = await connectOAuth(t, cast.otherTherapist.token, 'google', cast.otherTherapist.email);
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ success: true, message: 'Google Calendar connected successfully', data: { provider: 'google', connectedAt: expect.any(String) } });
  });

  it('syncs a session to Google once however often it is asked, with PHI-free content, then follows reschedule and cancel', async () => {
    const session = await createSession(t, cast.therapist.token, cast.client.id, { daysAhead: 5, timezone: 'America/New_York' });
    await sync(cast.therapist.token, session.id, 'google').expect(200);
    await sync(cast.therapist.token, session.id, 'google').expect(200);
    const [event, ...others] = await googleEvent(cast.therapist.email, session.id);
    expect(others).toHaveLength(0);
    expect(event).toMatchObject({ summary: 'Therapy session', start: { timeZone: 'America/New_York' } });
    expect(JSON.stringify(event)).not.toMatch(new RegExp(`${cast.client.email}|client \\d`));

    const newStart = new Date(Date.parse(session.startTime) + 2 * 3_600_000);
    await t.http.patch(`/api/sessions/${session.id}`).set(auth(cast.therapist.token)).send({ startTime: newStart.toISOString(), endTime: new Date(newStart.getTime() + 50 * 60_000).toISOString() }).expect(200);
    const moved = await eventually(() => googleEvent(cast.therapist.email, session.id), ([e]) => e?.start?.dateTime !== event!.start.dateTime);
    expect(moved).toHaveLength(1);
    expect(new Date(`${moved[0]!.start.dateTime}`).getTime()).not.toBeNaN();

    await t.http.delete(`/api/sessions/${session.id}`).set(auth(cast.therapist.token)).expect(200);
    const cancelled = await eventually(() => googleEvent(cast.therapist.email, session.id), ([e]) => e?.status === 'cancelled');
    expect(cancelled[0]!.status).toBe('cancelled');
  });

  it('retries a 429 and a 500 from Google and still makes exactly one event', async () => {
    const session = await createSession(t, cast.therapist.token, cast.client.id, { daysAhead: 6 });
    await sandbox.control('google').addFault({ method: 'POST', path: '/calendar/v3/calendars/.*/events$', count: 1, status: 429, headers: { 'retry-after': '1' }, body: { error: { code: 429, message: 'Rate Limit Exceeded', errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded', message: 'Rate Limit Exceeded' }] } } });
    await sandbox.control('google').addFault({ method: 'POST', path: '/calendar/v3/calendars/.*/events$', count: 1, status: 500, body: { error: { code: 500, message: 'Backend Error', errors: [{ domain: 'global', reason: 'backendError', message: 'Backend Error' }] } } });
    await sync(cast.therapist.token, session.id, 'google').expect(200);
    expect(await googleEvent(cast.therapist.email, session.id)).toHaveLength(1);
  });

  it('puts the session in the client’s own calendar for the client, and refuses people outside the session', async () => {
    const session = await createSession(t, cast.therapist.token, cast.client.id, { daysAhead: 7 });
    await sync(cast.client.token, session.id, 'google').expect(200);
    expect(await googleEvent(cast.client.email, session.id)).toHaveLength(1);
    expect(await googleEvent(cast.therapist.email, session.id)).toHaveLength(0);
    const foreign = await sync(cast.otherTherapist.token, session.id, 'google').expect(404);
    expect(foreign.body).toMatchObject({ success: false, code: 'SESSION_NOT_FOUND' });
    await sync(cast.otherClient.token, session.id, 'google').expect(404);
    // admin: into the therapist's calendar
    await sync(cast.adminToken, session.id, 'google').expect(200);
    expect(await googleEvent(cast.therapist.email, session.id)).toHaveLength(1);
  });

  it('syncs to Outlook once (found again by its extended property) and deletes on cancel', async () => {
    const session = await createSession(t, cast.therapist.token, cast.client.id, { daysAhead: 8, timezone: 'Europe/Berlin' });
    const since = (await sandbox.control('microsoft').journal()).entries.at(-1)?.seq ?? 0;
    await sync(cast.therapist.token, session.id, 'outlook').expect(200);
    await t.app.get(DataSource).query(`UPDATE calendar_events SET provider_event_id = NULL WHERE session_id = $1`, [session.id]);
    await sync(cast.therapist.token, session.id, 'outlook').expect(200);
    const entries = (await sandbox.control('microsoft').journal(since)).entries;
    expect(entries.filter((entry) => entry.method === 'POST' && entry.path === '/v1.0/me/events')).toHaveLength(1);
    expect(entries.filter((entry) => entry.method === 'PATCH')).toHaveLength(1);
    const posted = entries.find((entry) => entry.method === 'POST' && entry.path === '/v1.0/me/events')!.body as Record<string, any>;
    expect(posted).toMatchObject({ subject: 'Therapy session', start: { timeZone: 'Europe/Berlin' } });

    await t.http.delete(`/api/sessions/${session.id}`).set(auth(cast.therapist.token)).expect(200);
    const deletes = await eventually(
      async () => (await sandbox.control('microsoft').journal(since)).entries.filter((entry) => entry.method === 'DELETE'),
      (found) => found.length > 0,
    );
    expect(deletes).toHaveLength(1);
  });

  it('writes one CalDAV object per session in Radicale, at the right local time across a DST change', async () => {
    // 2026-03-08 is the US spring-forward day: 10:00 New York is 14:00 UTC after, 15:00 UTC before
    const start = '2026-03-09T14:00:00Z';
    const created = await t.http.post('/api/sessions').set(auth(cast.therapist.token))
      .send({ clientId: cast.client.id, startTime: start, endTime: '2026-03-09T14:50:00Z', timezone: 'America/New_York' }).expect(201);
    const sessionId = created.body.data.id as string;
    const before = (await caldavObjects()).length;
    await sync(cast.therapist.token, sessionId, 'apple').expect(200);
    await sync(cast.therapist.token, sessionId, 'apple').expect(200);
    expect((await caldavObjects()).length).toBe(before + 1);
    const ics = (await caldavObject(sessionId))!;
    expect(ics).toContain('DTSTART;TZID=America/New_York:20260309T100000');
    expect(ics).toContain('TZOFFSETTO:-0400');
    expect(ics).toContain(`UID:${sessionId}@teletherapy-integrations`);
    expect(ics).toContain('SUMMARY:Therapy session');

    await t.http.delete(`/api/sessions/${sessionId}`).set(auth(cast.therapist.token)).expect(200);
    expect(await eventually(() => caldavObject(sessionId), (value) => value === null)).toBeNull();
  });

  it('lands a Berlin session after the EU DST change at its local time on Google and Outlook', async () => {
    const created = await t.http.post('/api/sessions').set(auth(cast.therapist.token))
      .send({ clientId: cast.client.id, startTime: '2026-03-30T08:00:00Z', endTime: '2026-03-30T08:50:00Z', timezone: 'Europe/Berlin' }).expect(201);
    const sessionId = created.body.data.id as string;
    const since = (await sandbox.control('microsoft').journal()).entries.at(-1)?.seq ?? 0;
    await sync(cast.therapist.token, sessionId, 'google').expect(200);
    await sync(cast.therapist.token, sessionId, 'outlook').expect(200);
    const [event] = await googleEvent(cast.therapist.email, sessionId);
    expect(event!.start).toMatchObject({ dateTime: expect.stringMatching(/^2026-03-30T10:00:00/), timeZone: 'Europe/Berlin' });
    const posted = (await sandbox.control('microsoft').journal(since)).entries.find((entry) => entry.method === 'POST' && entry.path === '/v1.0/me/events')!.body as Record<string, any>;
    expect(posted.start).toEqual({ dateTime: '2026-03-30T10:00:00', timeZone: 'Europe/Berlin' });
  });

  it('flags the session with calendarDrift when the event is deleted or moved in Google, changing nothing', async () => {
    const session = await createSession(t, cast.therapist.token, cast.client.id, { daysAhead: 9 });
    await sync(cast.therapist.token, session.id, 'google').expect(200);
    await sandbox.control('google').request('POST', `events/${encodeURIComponent(cast.therapist.email)}/${googleEventId(session.id)}/external-change`, { action: 'delete' });
    const [connection] = await t.app.get(DataSource).query(`SELECT id FROM connections WHERE provider = 'google' AND user_id = $1`, [cast.therapist.id]);
    const drift = await t.app.get(CalendarService).checkDrift(connection.id);
    expect(drift).toEqual([expect.objectContaining({ provider: 'google', change: 'deleted' })]);
    const details = await t.http.get(`/api/integrations/calendar/sessions/${session.id}/events`).set(auth(cast.therapist.token)).expect(200);
    expect(details.body.data.calendarDrift).toEqual([expect.objectContaining({ change: 'deleted', provider: 'google' })]);
    const stillScheduled = await t.http.get(`/api/sessions/${session.id}`).set(auth(cast.therapist.token)).expect(200);
    expect(stillScheduled.body.data.status).toBe('scheduled');
  });

  it('opts a therapist into client initials in their own calendar only', async () => {
    await t.http.put('/api/integrations/calendar/preferences').set(auth(cast.therapist.token)).send({ showClientInitials: true }).expect(200);
    const session = await createSession(t, cast.therapist.token, cast.client.id, { daysAhead: 11 });
    await sync(cast.therapist.token, session.id, 'google').expect(200);
    const [event] = await googleEvent(cast.therapist.email, session.id);
    expect(event!.summary).toMatch(/^Therapy session \([A-Z]\.[A-Z0-9]?\.?\)$/);
    await t.http.put('/api/integrations/calendar/preferences').set(auth(cast.therapist.token)).send({ showClientInitials: false }).expect(200);
  });

  it('creates an ad-hoc event and disconnects with removeEvents', async () => {
    const created = await t.http.post('/api/integrations/calendar/events').set(auth(cast.otherTherapist.token))
      .send({ title: 'Supervision', description: 'Peer supervision', startTime: '2026-05-01T10:00:00Z', endTime: '2026-05-01T11:00:00Z', provider: 'google' })
      .expect(201);
    expect(created.body).toMatchObject({ success: true, data: { provider: 'google', eventId: expect.any(String) } });
    expect((await googleEvents(cast.otherTherapist.email)).filter((event) => event.status !== 'cancelled')).toHaveLength(1);
    await t.http.delete('/api/integrations/calendar/google/disconnect?removeEvents=true').set(auth(cast.otherTherapist.token)).expect(200);
    expect((await googleEvents(cast.otherTherapist.email)).filter((event) => event.status !== 'cancelled')).toHaveLength(0);
    const list = await t.http.get('/api/integrations/calendar/integrations').set(auth(cast.otherTherapist.token)).expect(200);
    expect(list.body.data.integrations).toEqual([]);
  });
});
