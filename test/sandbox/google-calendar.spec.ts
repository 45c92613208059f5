import type { calendar_v3 } from '@googleapis/calendar';
import { SandboxControl } from '../../sandbox/client.js';
import type { EmulatorHarness } from '../../sandbox/core/server.js';
import { CalendarStore } from '../../sandbox/google/calendar-store.js';
import { connect, eventId, startGoogle } from './google-support.js';

function responseOf(error: unknown) {
  return (error as { response?: { status: number; data: unknown; headers: unknown } }).response;
}

const session = (id: string, startIso: string, minutes = 50): calendar_v3.Schema$Event => ({
  id: eventId(id),
  summary: 'Therapy session',
  start: { dateTime: startIso, timeZone: 'Europe/Berlin' },
  end: { dateTime: new Date(Date.parse(startIso) + minutes * 60_000).toISOString(), timeZone: 'Europe/Berlin' },
  extendedProperties: { private: { sessionId: id } },
});

describe(CalendarStore.name, () => {
  let google: EmulatorHarness;
  let control: SandboxControl;
  let api: calendar_v3.Calendar;

  beforeAll(async () => {
    google = await startGoogle();
    control = new SandboxControl(google.url);
  });
  afterAll(() => google.stop());
  beforeEach(async () => {
    await control.reset();
    ({ api } = await connect(google.url));
  });

  it('inserts with a client id and answers the full Schema$Event; a second insert is a 409 duplicate', async () => {
    const body = session('sess-1', '2030-01-07T09:00:00.000Z');
    const created = await api.events.insert({ calendarId: 'primary', requestBody: body, sendUpdates: 'none' });
    expect(created.status).toBe(200);
    // compile-time check of the response against the SDK's own type
    const event: calendar_v3.Schema$Event = created.data;
    const required: Required<Pick<calendar_v3.Schema$Event, 'kind' | 'etag' | 'id' | 'status' | 'htmlLink' | 'created' | 'updated' | 'iCalUID' | 'sequence'>> = {
      kind: event.kind!,
      etag: event.etag!,
      id: event.id!,
      status: event.status!,
      htmlLink: event.htmlLink!,
      created: event.created!,
      updated: event.updated!,
      iCalUID: event.iCalUID!,
      sequence: event.sequence!,
    };
    expect(required).toMatchObject({ kind: 'calendar#event', id: body.id, status: 'confirmed', sequence: 0, iCalUID: `${body.id}@google.com` });
    expect(event.organizer).toEqual({ email: 'sandbox.user@example.com', self: true });
    expect(event.extendedProperties?.private).toEqual({ sessionId: 'sess-1' });
    expect(event.conferenceData).toBeUndefined();

    const duplicate = await api.events.insert({ calendarId: 'primary', requestBody: body }).catch(responseOf);
    expect(duplicate).toMatchObject({
      status: 409,
      data: { error: { code: 409, message: 'The requested identifier already exists.', errors: [{ domain: 'global', reason: 'duplicate' }] } },
    });

    const invalidId = await api.events.insert({ calendarId: 'primary', requestBody: { ...body, id: 'NOT_BASE32' } }).catch(responseOf);
    expect(invalidId).toMatchObject({ status: 400, data: { error: { errors: [{ reason: 'invalid' }] } } });

    const { entries } = await control.journal();
    const insert = entries.find((entry) => entry.method === 'POST' && entry.path === '/calendar/v3/calendars/primary/events');
    expect(insert).toMatchObject({ query: { sendUpdates: 'none' }, body: { id: body.id, extendedProperties: { private: { sessionId: 'sess-1' } } }, status: 200 });
    expect(insert?.headers.authorization).toMatch(/^Bearer ya29\./);
  });

  it('answers a Meet conference when conferenceDataVersion=1, and ignores the request otherwise', async () => {
    const withMeet: calendar_v3.Schema$Event = {
      ...session('sess-meet', '2030-01-08T09:00:00Z'),
      conferenceData: { createRequest: { requestId: 'req-1', conferenceSolutionKey: { type: 'hangoutsMeet' } } },
    };
    const { data } = await api.events.insert({ calendarId: 'primary', conferenceDataVersion: 1, requestBody: withMeet });
    expect(data.hangoutLink).toMatch(/^https:\/\/meet\.google\.com\/[a-z]{3}-[a-z]{4}-[a-z]{3}$/);
    expect(data.conferenceData).toMatchObject({
      createRequest: { requestId: 'req-1', status: { statusCode: 'success' } },
      conferenceSolution: { key: { type: 'hangoutsMeet' }, name: 'Google Meet' },
      entryPoints: [{ entryPointType: 'video', uri: data.hangoutLink }],
    });

    const without = await api.events.insert({ calendarId: 'primary', requestBody: { ...withMeet, id: eventId('sess-nomeet') } });
    expect(without.data.conferenceData).toBeUndefined();
    expect(without.data.hangoutLink).toBeUndefined();
  });

  it('gets, patches (merging nested objects), updates and deletes; a second delete is 410', async () => {
    const { data: created } = await api.events.insert({ calendarId: 'primary', requestBody: session('sess-2', '2030-01-09T09:00:00Z') });
    const id = created.id!;
    await expect(api.events.get({ calendarId: 'primary', eventId: id })).resolves.toMatchObject({ data: { id, summary: 'Therapy session' } });

    const patched = await api.events.patch({
      calendarId: 'primary',
      eventId: id,
      requestBody: {
        start: { dateTime: '2030-01-09T10:00:00Z' },
        end: { dateTime: '2030-01-09T10:50:00Z' },
        extendedProperties: { private: { rescheduled: 'yes' } },
      },
    });
    expect(patched.data).toMatchObject({ summary: 'Therapy session', sequence: 1, start: { dateTime: '2030-01-09T10:00:00Z', timeZone: 'Europe/Berlin' } });
    expect(patched.data.extendedProperties?.private).toEqual({ sessionId: 'sess-2', rescheduled: 'yes' });
    expect(patched.data.etag).not.toBe(created.etag);

    const updated = await api.events.update({
      calendarId: 'primary',
      eventId: id,
      requestBody: { summary: 'Replaced', start: { dateTime: '2030-01-09T11:00:00Z' }, end: { dateTime: '2030-01-09T11:50:00Z' } },
    });
    expect(updated.data).toMatchObject({ id, summary: 'Replaced', created: created.created });
    expect(updated.data.extendedProperties).toBeUndefined();

    await expect(api.events.delete({ calendarId: 'primary', eventId: id })).resolves.toMatchObject({ status: 204 });
    await expect(api.events.get({ calendarId: 'primary', eventId: id })).resolves.toMatchObject({ data: { status: 'cancelled' } });
    const again = await api.events.delete({ calendarId: 'primary', eventId: id }).catch(responseOf);
    expect(again).toMatchObject({ status: 410, data: { error: { code: 410, errors: [{ reason: 'deleted' }] } } });
    const missing = await api.events.get({ calendarId: 'primary', eventId: eventId('nothing') }).catch(responseOf);
    expect(missing).toMatchObject({ status: 404, data: { error: { errors: [{ reason: 'notFound' }] } } });
    const otherCalendar = await api.events.list({ calendarId: 'someone.else@example.com' }).catch(responseOf);
    expect(otherCalendar).toMatchObject({ status: 404 });
  });

  it('validates times like Google', async () => {
    const backwards = await api.events
      .insert({ calendarId: 'primary', requestBody: { start: { dateTime: '2030-01-01T10:00:00Z' }, end: { dateTime: '2030-01-01T09:00:00Z' } } })
      .catch(responseOf);
    expect(backwards).toMatchObject({ status: 400, data: { error: { errors: [{ reason: 'timeRangeEmpty' }] } } });
    const noEnd = await api.events.insert({ calendarId: 'primary', requestBody: { start: { dateTime: '2030-01-01T10:00:00Z' } } }).catch(responseOf);
    expect(noEnd).toMatchObject({ status: 400, data: { error: { message: 'Missing end time.' } } });
  });

  it('lists with privateExtendedProperty, timeMin/timeMax, showDeleted and pages', async () => {
    for (const [id, start] of [['a-1', '2030-02-01T09:00:00Z'], ['a-2', '2030-02-02T09:00:00Z'], ['a-3', '2030-02-03T09:00:00Z']] as const) {
      await api.events.insert({ calendarId: 'primary', requestBody: session(id, start) });
    }
    await api.events.delete({ calendarId: 'primary', eventId: eventId('a-3') });

    const bySession = await api.events.list({ calendarId: 'primary', privateExtendedProperty: ['sessionId=a-2'] });
    expect(bySession.data.items?.map((item) => item.id)).toEqual([eventId('a-2')]);
    const list: calendar_v3.Schema$Events = bySession.data;
    expect(list).toMatchObject({ kind: 'calendar#events', nextSyncToken: expect.any(String) });

    const window = await api.events.list({ calendarId: 'primary', timeMin: '2030-02-01T10:00:00Z', timeMax: '2030-02-03T00:00:00Z' });
    expect(window.data.items?.map((item) => item.id)).toEqual([eventId('a-2')]);

    const withDeleted = await api.events.list({ calendarId: 'primary', showDeleted: true, singleEvents: true, orderBy: 'startTime' });
    expect(withDeleted.data.items?.map((item) => item.status)).toEqual(['confirmed', 'confirmed', 'cancelled']);

    const first = await api.events.list({ calendarId: 'primary', maxResults: 1 });
    expect(first.data.items).toHaveLength(1);
    expect(first.data.nextSyncToken).toBeUndefined();
    const second = await api.events.list({ calendarId: 'primary', maxResults: 1, pageToken: first.data.nextPageToken! });
    expect(second.data.items?.[0].id).toBe(eventId('a-2'));
    expect(second.data.nextSyncToken).toEqual(expect.any(String));
  });

  it('syncs incrementally with sync tokens, including deletions, and answers 410 fullSyncRequired for a stale token', async () => {
    await api.events.insert({ calendarId: 'primary', requestBody: session('s-1', '2030-03-01T09:00:00Z') });
    const full = await api.events.list({ calendarId: 'primary' });
    const token = full.data.nextSyncToken!;

    const quiet = await api.events.list({ calendarId: 'primary', syncToken: token });
    expect(quiet.data.items).toEqual([]);

    await api.events.insert({ calendarId: 'primary', requestBody: session('s-2', '2030-03-02T09:00:00Z') });
    await control.google.externalChange('primary', eventId('s-1'), { action: 'delete' });
    const changes = await api.events.list({ calendarId: 'primary', syncToken: token });
    expect(changes.data.items?.map((item) => [item.id, item.status])).toEqual([
      [eventId('s-2'), 'confirmed'],
      [eventId('s-1'), 'cancelled'],
    ]);

    const combined = await api.events.list({ calendarId: 'primary', syncToken: token, privateExtendedProperty: ['sessionId=s-1'] }).catch(responseOf);
    expect(combined).toMatchObject({ status: 400 });

    await control.google.invalidateSyncTokens('primary');
    const stale = await api.events.list({ calendarId: 'primary', syncToken: changes.data.nextSyncToken! }).catch(responseOf);
    expect(stale).toMatchObject({
      status: 410,
      data: { error: { code: 410, errors: [{ domain: 'calendar', reason: 'fullSyncRequired' }] } },
    });
    const fresh = await api.events.list({ calendarId: 'primary' });
    await expect(api.events.list({ calendarId: 'primary', syncToken: fresh.data.nextSyncToken! })).resolves.toMatchObject({ status: 200 });
  });

  it('lets the calendar owner move an event, visible to the client', async () => {
    await api.events.insert({ calendarId: 'primary', requestBody: session('m-1', '2030-04-01T09:00:00Z') });
    const moved = await control.google.externalChange('primary', eventId('m-1'), {
      action: 'move',
      start: { dateTime: '2030-04-02T09:00:00Z' },
      end: { dateTime: '2030-04-02T09:50:00Z' },
    });
    expect(moved.start?.dateTime).toBe('2030-04-02T09:00:00Z');
    await expect(api.events.get({ calendarId: 'primary', eventId: eventId('m-1') })).resolves.toMatchObject({
      data: { start: { dateTime: '2030-04-02T09:00:00Z' }, sequence: 1 },
    });
    // the control API is not part of the journal
    const { entries } = await control.journal();
    expect(entries.some((entry) => entry.path.startsWith('/__sandbox'))).toBe(false);
  });
});
