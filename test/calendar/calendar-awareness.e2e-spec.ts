import { DataSource } from 'typeorm';
import { getBasicAuthHeaders } from 'tsdav';
import type { Sandbox } from '../../sandbox/index.js';
import { CALENDAR_DRIFT_SWEEP_QUEUE, CalendarSyncJobs } from '../../src/calendar/calendar-sync.jobs.js';
import { googleEventId } from '../../src/calendar/providers/google/google-event.mapper.js';
import { JobQueue } from '../../src/jobs/index.js';
import type { Radicale } from '../support/radicale.js';
import { createCast, createSession, type TestApp } from '../support/test-app.js';
import { auth, CALDAV_PASSWORD, eventually, startCalendarKit, type CalendarKit } from './calendar-support.js';

type Cast = Awaited<ReturnType<typeof createCast>>;
type Drift = { provider: string; userId: string; change: string; start?: string; end?: string; detectedAt: string };


/** Two-way awareness (the scheduled drift poll) and the join link in event content. */
describe(CalendarSyncJobs.name, () => {
  let sandbox: Sandbox;
  let radicale: Radicale;
  let t: TestApp;
  let cast: Cast;

  let kit: CalendarKit;

  beforeAll(async () => {
    kit = await startCalendarKit(['google', 'microsoft', 'zoom']);
    ({ sandbox, radicale, t, cast } = kit);
  }, 60_000);
  afterAll(() => kit?.stop());

  const db = () => t.app.get(DataSource);
  const sync = (token: string, sessionId: string, provider: string) =>
    t.http.post(`/api/integrations/calendar/sessions/${sessionId}/sync`).set(auth(token)).send({ provider }).expect(200);
  const googleEvent = async (email: string, sessionId: string) => {
    const { events } = await sandbox.control('google').request<{ events: Array<{ event: Record<string, any> }> }>('GET', `events?calendarId=${encodeURIComponent(email)}`);
    return events.map((entry) => entry.event).find((event) => event.id === googleEventId(sessionId));
  };
  const caldavUrl = async (sessionId: string) => {
    const [row] = await db().query(`SELECT metadata FROM connections WHERE provider = 'apple' AND user_id = $1`, [cast.therapist.id]);
    return new URL(`${sessionId}.ics`, row.metadata.calendarUrl);
  };
  const caldavHeaders = () => getBasicAuthHeaders({ username: 'therapist', password: CALDAV_PASSWORD });
  /** the object's text with folded lines joined again (RFC 5545 3.1) */
  const caldavObject = async (sessionId: string) => {
    const response = await fetch(await caldavUrl(sessionId), { headers: caldavHeaders() });
    return { text: (await response.text()).replace(/\r\n[ \t]/g, ''), etag: response.headers.get('etag') };
  };
  const driftOf = async (sessionId: string): Promise<Drift[] | null> =>
    (await t.http.get(`/api/integrations/calendar/sessions/${sessionId}/events`).set(auth(cast.therapist.token)).expect(200)).body.data.calendarDrift;

  describe('drift', () => {
    it('schedules the drift sweep on CALENDAR_DRIFT_CHECK_CRON (default every 10 minutes)', async () => {
      const rows = (await db().query('SELECT cron FROM pgboss.schedule WHERE name = $1', [CALENDAR_DRIFT_SWEEP_QUEUE])) as Array<{ cron: string }>;
      expect(rows).toEqual([{ cron: '*/10 * * * *' }]);
    });

    it('flags what the owner changed in Google, Outlook and CalDAV when the scheduled sweep runs, changing nothing', async () => {
      const session = await createSession(t, cast.therapist.token, cast.client.id, { daysAhead: 4, timezone: 'Europe/Berlin' });
      for (const provider of ['google', 'outlook', 'apple']) await sync(cast.therapist.token, session.id, provider);

      // Google: deleted by the owner
      await sandbox.control('google').request('POST', `events/${encodeURIComponent(cast.therapist.email)}/${googleEventId(session.id)}/external-change`, { action: 'delete' });
      // Outlook: moved one hour later
      const [outlook] = await db().query(`SELECT provider_event_id FROM calendar_events WHERE session_id = $1 AND provider = 'outlook'`, [session.id]);
      const movedStart = new Date(Date.parse(session.startTime) + 3_600_000);
      const movedEnd = new Date(Date.parse(session.endTime) + 3_600_000);
      const utc = (date: Date) => ({ dateTime: date.toISOString().slice(0, 19), timeZone: 'UTC' });
      await sandbox.control('microsoft').request('POST', `events/${encodeURIComponent(outlook.provider_event_id)}/move`, { start: utc(movedStart), end: utc(movedEnd) });
      // CalDAV: the owner's client rewrites the object two hours later
      const ics = await caldavObject(session.id);
      const utcStamp = (iso: string) => `${new Date(Date.parse(iso) + 7_200_000).toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;
      const edited = ics.text
        .replace(/^DTSTART;TZID=.*$/m, `DTSTART:${utcStamp(session.startTime)}`)
        .replace(/^DTEND;TZID=.*$/m, `DTEND:${utcStamp(session.endTime)}`)
        .replace(/\r?\n/g, '\r\n');
      const put = await fetch(await caldavUrl(session.id), { method: 'PUT', headers: { ...caldavHeaders(), 'content-type': 'text/calendar; charset=utf-8', 'if-match': ics.etag! }, body: edited });
      expect([201, 204]).toContain(put.status);

      expect(await driftOf(session.id)).toBeNull();
      // what the cron would do every CALENDAR_DRIFT_CHECK_CRON
      await t.app.get(JobQueue).enqueue(CALENDAR_DRIFT_SWEEP_QUEUE, {});
      const drift = await eventually(() => driftOf(session.id), (found) => (found?.length ?? 0) === 3);
      expect(drift).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ provider: 'google', change: 'deleted', userId: cast.therapist.id }),
          expect.objectContaining({ provider: 'outlook', change: 'moved', start: movedStart.toISOString(), end: movedEnd.toISOString() }),
          expect.objectContaining({ provider: 'apple', change: 'moved', start: new Date(Date.parse(session.startTime) + 7_200_000).toISOString() }),
        ]),
      );

      // nothing changed on our side: the session keeps its time and status, the events are not rewritten
      const details = await t.http.get(`/api/sessions/${session.id}`).set(auth(cast.therapist.token)).expect(200);
      expect(details.body.data).toMatchObject({ status: 'scheduled', startTime: session.startTime });
      expect((await googleEvent(cast.therapist.email, session.id))?.status).toBe('cancelled');

      // the next poll sees the same changes: the first detection time stays
      await t.app.get(JobQueue).enqueue(CALENDAR_DRIFT_SWEEP_QUEUE, {});
      await eventually(() => db().query(`SELECT count(*)::int AS n FROM integration_logs WHERE action = 'events.get' AND session_id = $1`, [session.id]), ([row]) => row.n >= 6);
      const again = await driftOf(session.id);
      expect(again!.map((entry) => entry.detectedAt).sort()).toEqual(drift!.map((entry) => entry.detectedAt).sort());
    });

    it('leaves sessions long over and connections waiting for re-authorisation out of the sweep', async () => {
      const jobs = t.app.get(CalendarSyncJobs);
      const before = await jobs.enqueueDriftChecks();
      expect(before).toBe(3);
      await db().query(`UPDATE connections SET status = 'needs_reauth' WHERE provider = 'outlook' AND user_id = $1`, [cast.therapist.id]);
      try {
        expect(await jobs.enqueueDriftChecks()).toBe(before - 1);
      } finally {
        await db().query(`UPDATE connections SET status = 'active' WHERE provider = 'outlook' AND user_id = $1`, [cast.therapist.id]);
      }
      await db().query(`UPDATE calendar_events SET synced_end = now() - interval '2 days' WHERE user_id = $1 AND provider = 'apple'`, [cast.therapist.id]);
      expect(await jobs.enqueueDriftChecks()).toBe(before - 1);
    });
  });

  describe('join link in event content', () => {
    it('puts the room’s join link (never the start URL, no names) in every linked event, and takes it out when the room goes', async () => {
      const session = await createSession(t, cast.therapist.token, cast.client.id, { daysAhead: 12, timezone: 'America/New_York' });
      await sync(cast.therapist.token, session.id, 'google');
      await sync(cast.therapist.token, session.id, 'apple');
      expect((await googleEvent(cast.therapist.email, session.id))!.description).not.toMatch(/zoom\.us/);

      const created = await t.http.post(`/api/integrations/video/sessions/${session.id}/zoom`).set(auth(cast.therapist.token)).expect(201);
      const { joinUrl, startUrl } = created.body.data as { joinUrl: string; startUrl: string };
      expect(startUrl).not.toBe(joinUrl);

      // rewritten by the calendar.event-sync jobs the meeting's change enqueued
      const therapistEvent = await eventually(() => googleEvent(cast.therapist.email, session.id), (event) => Boolean(event?.description?.includes(joinUrl)));
      expect(therapistEvent!.description).toContain(joinUrl);
      const caldav = await eventually(() => caldavObject(session.id), (object) => object.text.includes(joinUrl.replace(/,/g, '\\,').replace(/;/g, '\\;')));
      expect(caldav.text).toMatch(/^DESCRIPTION:Join the video session: /m);

      // a calendar synced after the room exists gets the link at once; the client's calendar gets the same join link
      await sync(cast.client.token, session.id, 'google');
      const clientEvent = await googleEvent(cast.client.email, session.id);
      expect(clientEvent!.description).toContain(joinUrl);

      // the client's own event names its owner as organizer: only what we wrote is checked there
      for (const content of [JSON.stringify(therapistEvent), `${clientEvent!.summary} ${clientEvent!.description}`, caldav.text]) {
        expect(content).not.toContain(startUrl);
        expect(content).not.toMatch(/zoom\.us\/s\//);
        expect(content).not.toMatch(/zak=/);
        expect(content).not.toContain(cast.client.email);
      }
      const [client] = (await db().query('SELECT name FROM users WHERE id = $1', [cast.client.id])) as Array<{ name: string }>;
      expect(JSON.stringify(therapistEvent)).not.toContain(client!.name);
      expect(clientEvent!.description).not.toContain(client!.name);
      expect(caldav.text).not.toContain(client!.name);

      await t.http.delete(`/api/integrations/video/sessions/${session.id}/meeting/zoom`).set(auth(cast.therapist.token)).expect(200);
      const withoutRoom = await eventually(() => googleEvent(cast.client.email, session.id), (event) => !event?.description?.includes(joinUrl));
      expect(withoutRoom!.description).not.toContain(joinUrl);
      // each linked event is rewritten by its own job: wait for the CalDAV one too, not only Google's
      const caldavWithoutRoom = await eventually(() => caldavObject(session.id), (object) => !object.text.includes('Join the video session'));
      expect(caldavWithoutRoom.text).not.toContain('Join the video session');
    });
  });
});
