import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  Client,
  HTTPMessageHandler,
  RetryHandler,
  RetryHandlerOptions,
  type Context,
  type Middleware,
} from '@microsoft/microsoft-graph-client';
import type {
  AttendanceRecord,
  CallRecording,
  ChangeNotificationCollection,
  Event,
  MeetingAttendanceReport,
  OnlineMeeting,
  Subscription,
  User,
} from '@microsoft/microsoft-graph-types';
import { startEmulator, type EmulatorHarness } from '../../sandbox/core/server.js';
import { createMicrosoftEmulator } from '../../sandbox/microsoft/index.js';

const CLIENT_ID = 'sandbox-outlook-client-id';
const CLIENT_SECRET = 'sandbox-outlook-client-secret';
const REDIRECT_URI = 'http://localhost:3000/api/integrations/calendar/oauth/microsoft/callback';
const TENANT = '5ab1e0a5-0000-4000-8000-5a0db0c5ba5e';
const SESSION_PROPERTY = 'String {66f5a359-4659-4830-9070-00047ec6ac6e} Name therapySessionId';

interface TokenResponse {
  access_token: string;
  refresh_token?: string;
  id_token?: string;
  expires_in: number;
  error?: string;
  error_codes?: number[];
}

/** the app's own bearer middleware: graph-client's AuthenticationHandler drops the token over plain http */
class BearerToken implements Middleware {
  private next?: Middleware;
  constructor(private readonly token: () => string) {}
  async execute(context: Context): Promise<void> {
    const headers = new Headers(context.options?.headers as ConstructorParameters<typeof Headers>[0]);
    headers.set('Authorization', `Bearer ${this.token()}`);
    context.options = { ...context.options, headers: Object.fromEntries(headers) };
    await this.next!.execute(context);
  }
  setNext(next: Middleware): void {
    this.next = next;
  }
}

function graphClient(baseUrl: string, token: () => string, retryDelaySeconds = 1): Client {
  const auth = new BearerToken(token);
  const retry = new RetryHandler(new RetryHandlerOptions(retryDelaySeconds, 3));
  auth.setNext(retry);
  retry.setNext(new HTTPMessageHandler());
  return Client.initWithMiddleware({ middleware: auth, baseUrl: `${baseUrl}/`, defaultVersion: 'v1.0' });
}

async function authorize(baseUrl: string, loginHint: string, verifier?: string): Promise<string> {
  const url = new URL(`${baseUrl}/common/oauth2/v2.0/authorize`);
  url.search = new URLSearchParams({
    client_id: CLIENT_ID,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid profile email offline_access Calendars.ReadWrite OnlineMeetings.ReadWrite',
    state: 'state-123',
    login_hint: loginHint,
    ...(verifier
      ? { code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256' }
      : {}),
  }).toString();
  const response = await fetch(url, { redirect: 'manual' });
  expect(response.status).toBe(302);
  const location = new URL(response.headers.get('location')!);
  expect(location.origin + location.pathname).toBe(REDIRECT_URI);
  expect(location.searchParams.get('state')).toBe('state-123');
  return location.searchParams.get('code')!;
}

async function token(baseUrl: string, params: Record<string, string>, tenant = 'common'): Promise<{ status: number; body: TokenResponse }> {
  const response = await fetch(`${baseUrl}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, client_secret: CLIENT_SECRET, ...params }),
  });
  return { status: response.status, body: (await response.json()) as TokenResponse };
}

async function signIn(baseUrl: string, loginHint: string): Promise<TokenResponse> {
  const verifier = randomBytes(32).toString('base64url');
  const code = await authorize(baseUrl, loginHint, verifier);
  const { body } = await token(baseUrl, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  return body;
}

const sessionEvent = (sessionId: string, online = true): Event => ({
  subject: 'Therapy session',
  body: { contentType: 'text', content: 'Session reference only, no PHI.' },
  start: { dateTime: '2030-03-04T10:00:00', timeZone: 'UTC' },
  end: { dateTime: '2030-03-04T10:50:00', timeZone: 'UTC' },
  isOnlineMeeting: online,
  onlineMeetingProvider: 'teamsForBusiness',
  singleValueExtendedProperties: [{ id: SESSION_PROPERTY, value: sessionId }],
});

/** a notification endpoint like the app's: answers the validation handshake and keeps what Graph posts */
async function startNotificationReceiver(echo = true) {
  const notifications: ChangeNotificationCollection[] = [];
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url!, 'http://receiver');
    const validationToken = url.searchParams.get('validationToken');
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      if (validationToken !== null) {
        response.writeHead(200, { 'content-type': 'text/plain' }).end(echo ? validationToken : 'nope');
        return;
      }
      notifications.push(JSON.parse(body) as ChangeNotificationCollection);
      response.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/integrations/calendar/webhooks/microsoft`;
  const waitFor = async (predicate: (all: ChangeNotificationCollection[]) => boolean) => {
    for (let i = 0; i < 100 && !predicate(notifications); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    return notifications;
  };
  return { url, notifications, waitFor, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('createMicrosoftEmulator', () => {
  let emulator: EmulatorHarness;
  let base: string;

  beforeAll(async () => {
    emulator = await startEmulator(createMicrosoftEmulator(), { port: 0 });
    base = emulator.url;
  });
  afterAll(() => emulator.stop());
  beforeEach(() => emulator.reset());

  describe('identity platform', () => {
    it('runs authorization_code with PKCE, refuses a reused code and a wrong verifier, and rotates refresh tokens', async () => {
      const verifier = randomBytes(32).toString('base64url');
      const code = await authorize(base, 'dr.ada@practice.onmicrosoft.com', verifier);

      const wrong = await token(base, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: 'x'.repeat(43) });
      expect(wrong.status).toBe(400);
      expect(wrong.body).toMatchObject({ error: 'invalid_grant', error_codes: [501481] });

      const first = await token(base, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
      expect(first.status).toBe(200);
      expect(first.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
      expect(first.body.refresh_token).toBeDefined();
      const idClaims = JSON.parse(Buffer.from(first.body.id_token!.split('.')[1], 'base64url').toString());
      expect(idClaims).toMatchObject({ preferred_username: 'dr.ada@practice.onmicrosoft.com', name: 'Dr Ada' });

      const reused = await token(base, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier });
      expect(reused.body).toMatchObject({ error: 'invalid_grant', error_codes: [54005] });
      expect(reused.body).toHaveProperty('error_description', expect.stringMatching(/^AADSTS54005: /));

      const refreshed = await token(base, { grant_type: 'refresh_token', refresh_token: first.body.refresh_token! });
      expect(refreshed.status).toBe(200);
      expect(refreshed.body.refresh_token).toBeDefined();
      expect(refreshed.body.refresh_token).not.toBe(first.body.refresh_token);

      const badSecret = await token(base, { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token!, client_secret: 'wrong' });
      expect(badSecret.status).toBe(401);
      expect(badSecret.body).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    });

    it('issues app-only tokens for client_credentials with a /.default scope; /me then needs a delegated token', async () => {
      await signIn(base, 'therapist@practice.onmicrosoft.com');
      const app = await token(base, { grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }, TENANT);
      expect(app.status).toBe(200);
      expect(app.body.refresh_token).toBeUndefined();
      const client = graphClient(base, () => app.body.access_token);
      await expect(client.api('/me').get()).rejects.toMatchObject({ statusCode: 400, code: 'BadRequest' });
      await expect(client.api('/users/therapist@practice.onmicrosoft.com').get()).resolves.toMatchObject({
        mail: 'therapist@practice.onmicrosoft.com',
      });

      const badScope = await token(base, { grant_type: 'client_credentials', scope: 'Calendars.ReadWrite' }, TENANT);
      expect(badScope.body).toMatchObject({ error: 'invalid_scope', error_codes: [1002012] });
    });

    it('answers 401 InvalidAuthenticationToken once the access token expires, and after sessions are revoked', async () => {
      const tokens = await signIn(base, 'therapist@practice.onmicrosoft.com');
      const client = graphClient(base, () => tokens.access_token);
      const me = (await client.api('/me').get()) as User;
      expect(me).toMatchObject({ userPrincipalName: 'therapist@practice.onmicrosoft.com', displayName: 'Therapist' });
      expect(me.id).toMatch(/^[0-9a-f-]{36}$/);

      await fetch(`${base}/__sandbox/clock/advance`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ seconds: 3601 }),
      });
      await expect(client.api('/me').get()).rejects.toMatchObject({ statusCode: 401, code: 'InvalidAuthenticationToken' });

      const renewed = await token(base, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
      const renewedClient = graphClient(base, () => renewed.body.access_token);
      await expect(renewedClient.api('/me/revokeSignInSessions').post({})).resolves.toMatchObject({ value: true });
      await expect(renewedClient.api('/me').get()).rejects.toMatchObject({ statusCode: 401 });
      const afterRevoke = await token(base, { grant_type: 'refresh_token', refresh_token: renewed.body.refresh_token! });
      expect(afterRevoke.body).toMatchObject({ error: 'invalid_grant', error_codes: [50173] });
    });
  });

  describe('Graph calendar and Teams', () => {
    let client: Client;

    beforeEach(async () => {
      const tokens = await signIn(base, 'therapist@practice.onmicrosoft.com');
      client = graphClient(base, () => tokens.access_token);
    });

    it('creates an event with a Teams link, finds its online meeting by JoinWebUrl, patches and deletes it', async () => {
      const created = (await client.api('/me/events').post(sessionEvent('session-1'))) as Event;
      expect(created).toMatchObject({
        subject: 'Therapy session',
        isOnlineMeeting: true,
        onlineMeetingProvider: 'teamsForBusiness',
        organizer: { emailAddress: { address: 'therapist@practice.onmicrosoft.com' } },
      });
      expect(created.onlineMeeting?.joinUrl).toMatch(/^https:\/\/teams\.microsoft\.com\/l\/meetup-join\/19%3ameeting_/);
      expect(created.singleValueExtendedProperties).toBeUndefined();

      const joinUrl = created.onlineMeeting!.joinUrl!;
      const meetings = (await client.api('/me/onlineMeetings').filter(`JoinWebUrl eq '${joinUrl}'`).get()) as { value: OnlineMeeting[] };
      expect(meetings.value).toHaveLength(1);
      expect(meetings.value[0]).toMatchObject({ joinWebUrl: joinUrl, subject: 'Therapy session', startDateTime: '2030-03-04T10:00:00.000Z' });

      const patched = (await client
        .api(`/me/events/${created.id}`)
        .patch({ start: { dateTime: '2030-03-05T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-03-05T10:50:00', timeZone: 'UTC' } })) as Event;
      expect(patched.start).toEqual({ dateTime: '2030-03-05T10:00:00', timeZone: 'UTC' });
      expect(patched.changeKey).not.toBe(created.changeKey);
      await expect(client.api(`/me/calendar/events/${created.id}`).get()).resolves.toMatchObject({ id: created.id });

      await expect(client.api(`/me/events/${created.id}`).delete()).resolves.toBeFalsy();
      await expect(client.api(`/me/events/${created.id}`).get()).rejects.toMatchObject({
        statusCode: 404,
        code: 'ErrorItemNotFound',
        requestId: expect.any(String),
      });
    });

    it('filters events by a single-value extended property and expands it', async () => {
      await client.api('/me/calendar/events').post(sessionEvent('session-a', false));
      const wanted = (await client.api('/me/events').post(sessionEvent("session-b's", false))) as Event;
      await client.api('/me/events').post({ ...sessionEvent('x', false), singleValueExtendedProperties: [] });

      const found = (await client
        .api('/me/events')
        .filter(`singleValueExtendedProperties/Any(ep: ep/id eq '${SESSION_PROPERTY}' and ep/value eq 'session-b''s')`)
        .expand(`singleValueExtendedProperties($filter=id eq '${SESSION_PROPERTY}')`)
        .get()) as { value: Event[] };
      expect(found.value.map((event) => event.id)).toEqual([wanted.id]);
      expect(found.value[0].singleValueExtendedProperties).toEqual([{ id: SESSION_PROPERTY, value: "session-b's" }]);

      await expect(client.api('/me/events').filter("subject eq 'x'").get()).rejects.toMatchObject({ statusCode: 400 });
      const journal = (await (await fetch(`${base}/__sandbox/journal`)).json()) as { entries: { query: Record<string, string> }[] };
      expect(journal.entries.at(-2)?.query.$filter).toContain('singleValueExtendedProperties/Any(ep: ep/id eq');
    });

    it('refuses Teams meetings for a personal Microsoft account the way Graph does', async () => {
      const tokens = await signIn(base, 'someone@outlook.com');
      const personal = graphClient(base, () => tokens.access_token);
      const event = (await personal.api('/me/events').post(sessionEvent('session-p'))) as Event;
      expect(event).toMatchObject({ isOnlineMeeting: false, onlineMeetingProvider: 'unknown', onlineMeeting: null });
      await expect(
        personal.api('/me/onlineMeetings').post({ startDateTime: '2030-03-04T10:00:00Z', endDateTime: '2030-03-04T11:00:00Z', subject: 'x' }),
      ).rejects.toMatchObject({ statusCode: 401, code: 'AuthenticationError' });

      await fetch(`${base}/__sandbox/accounts`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'therapist@practice.onmicrosoft.com', personal: true }),
      });
      const marked = (await client.api('/me/events').post(sessionEvent('session-q'))) as Event;
      expect(marked.onlineMeeting).toBeNull();
    });

    it('reports attendance and recordings after a simulated meeting', async () => {
      const created = (await client.api('/me/events').post(sessionEvent('session-m'))) as Event;
      const simulated = await fetch(`${base}/__sandbox/meetings/simulate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          eventId: created.id,
          attendees: [
            { email: 'therapist@practice.onmicrosoft.com', displayName: 'Therapist', durationSeconds: 3000 },
            { email: 'client@example.com', displayName: 'Client', joinOffsetSeconds: 120, durationSeconds: 2700 },
          ],
        }),
      });
      expect(simulated.status).toBe(200);

      const joinUrl = created.onlineMeeting!.joinUrl!;
      const [meeting] = ((await client.api('/me/onlineMeetings').filter(`JoinWebUrl eq '${joinUrl}'`).get()) as { value: OnlineMeeting[] }).value;
      const reports = (await client.api(`/me/onlineMeetings/${meeting.id}/attendanceReports`).get()) as { value: MeetingAttendanceReport[] };
      expect(reports.value).toHaveLength(1);
      expect(reports.value[0]).toMatchObject({ totalParticipantCount: 2, meetingStartDateTime: '2030-03-04T10:00:00.000Z' });

      const records = (await client
        .api(`/me/onlineMeetings/${meeting.id}/attendanceReports/${reports.value[0].id}/attendanceRecords`)
        .get()) as { value: AttendanceRecord[] };
      expect(records.value).toEqual([
        expect.objectContaining({ emailAddress: 'therapist@practice.onmicrosoft.com', role: 'Organizer', totalAttendanceInSeconds: 3000 }),
        expect.objectContaining({
          emailAddress: 'client@example.com',
          role: 'Attendee',
          totalAttendanceInSeconds: 2700,
          attendanceIntervals: [
            { joinDateTime: '2030-03-04T10:02:00.000Z', leaveDateTime: '2030-03-04T10:47:00.000Z', durationInSeconds: 2700 },
          ],
        }),
      ]);

      const recordings = (await client.api(`/me/onlineMeetings/${meeting.id}/recordings`).get()) as { value: CallRecording[] };
      expect(recordings.value).toHaveLength(1);
      expect(recordings.value[0]).toMatchObject({ meetingId: meeting.id, recordingContentUrl: expect.stringContaining('/content') });
      const content = await fetch(recordings.value[0].recordingContentUrl!, {
        headers: { authorization: `Bearer ${(await signIn(base, 'therapist@practice.onmicrosoft.com')).access_token}` },
      });
      expect(content.headers.get('content-type')).toBe('video/mp4');
    });

    it('validates a subscription, then notifies changes with clientState, including changes made by the user', async () => {
      const receiver = await startNotificationReceiver();
      try {
        const subscription = (await client.api('/subscriptions').post({
          changeType: 'created,updated,deleted',
          notificationUrl: receiver.url,
          resource: 'me/events',
          expirationDateTime: new Date(Date.now() + 2 * 24 * 3600 * 1000).toISOString(),
          clientState: 'secret-client-state',
        })) as Subscription;
        expect(subscription).toMatchObject({ resource: 'me/events', clientState: 'secret-client-state', changeType: 'created,updated,deleted' });

        const created = (await client.api('/me/events').post(sessionEvent('session-n'))) as Event;
        await fetch(`${base}/__sandbox/events/${created.id}/move`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            start: { dateTime: '2030-03-06T09:00:00', timeZone: 'UTC' },
            end: { dateTime: '2030-03-06T09:50:00', timeZone: 'UTC' },
          }),
        });
        await fetch(`${base}/__sandbox/events/${created.id}`, { method: 'DELETE' });

        const received = await receiver.waitFor((all) => all.length >= 3);
        const changes = received.flatMap((collection) => collection.value ?? []);
        expect(changes.map((change) => change.changeType).sort()).toEqual(['created', 'deleted', 'updated']);
        for (const change of changes) {
          expect(change).toMatchObject({
            subscriptionId: subscription.id,
            clientState: 'secret-client-state',
            resourceData: expect.objectContaining({ id: created.id, '@odata.type': '#Microsoft.Graph.Event' }),
          });
        }
        await expect(client.api(`/me/events/${created.id}`).get()).rejects.toMatchObject({ statusCode: 404 });

        const tooLong = client.api('/subscriptions').post({
          changeType: 'updated',
          notificationUrl: receiver.url,
          resource: 'me/events',
          expirationDateTime: new Date(Date.now() + 4231 * 60_000).toISOString(),
        });
        await expect(tooLong).rejects.toMatchObject({ statusCode: 400 });
      } finally {
        await receiver.stop();
      }
    });

    it('fails the subscription when the endpoint does not echo the validation token', async () => {
      const receiver = await startNotificationReceiver(false);
      try {
        await expect(
          client.api('/subscriptions').post({
            changeType: 'updated',
            notificationUrl: receiver.url,
            resource: 'me/events',
            expirationDateTime: new Date(Date.now() + 3600_000).toISOString(),
          }),
        ).rejects.toMatchObject({ statusCode: 400, code: 'ValidationError' });
      } finally {
        await receiver.stop();
      }
    });

    it('answers 429 with Retry-After in Graph shape when over quota, which the RetryHandler waits out', async () => {
      await fetch(`${base}/__sandbox/quota`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ limit: 1, windowMs: 1000 }),
      });
      const raw = await fetch(`${base}/v1.0/me`);
      const second = await fetch(`${base}/v1.0/me`);
      expect(second.status).toBe(429);
      expect(second.headers.get('retry-after')).toBe('1');
      expect(await second.json()).toMatchObject({ error: { code: 'TooManyRequests', innerError: { 'request-id': expect.any(String) } } });
      expect(raw.status).toBe(401);

      const started = Date.now();
      await expect(client.api('/me').get()).resolves.toMatchObject({ mail: 'therapist@practice.onmicrosoft.com' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      const stats = (await (await fetch(`${base}/__sandbox/stats`)).json()) as { rateLimited: number };
      expect(stats.rateLimited).toBeGreaterThanOrEqual(2);
    });
  });
});
