import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { calendar_v3 } from '@googleapis/calendar';
import { SandboxControl } from '../../sandbox/client.js';
import type { EmulatorHarness } from '../../sandbox/core/server.js';
import { PushChannels } from '../../sandbox/google/push.js';
import { connect, eventId, startGoogle } from './google-support.js';

function responseOf(error: unknown) {
  return (error as { response?: { status: number; data: unknown; headers: { get(name: string): string | null } } }).response;
}

interface Received {
  method?: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** a stand-in for the service's webhook endpoint */
async function startReceiver(status = 200): Promise<{ url: string; received: Received[]; server: Server; setStatus(code: number): void }> {
  const received: Received[] = [];
  let answer = status;
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      received.push({ method: request.method, headers: request.headers, body });
      response.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/webhooks/google`, received, server, setStatus: (code) => (answer = code) };
}

async function until<T>(probe: () => T | undefined, timeoutMs = 3000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const event = (seed: string): calendar_v3.Schema$Event => ({
  id: eventId(seed),
  start: { dateTime: '2030-05-01T09:00:00Z' },
  end: { dateTime: '2030-05-01T09:50:00Z' },
});

describe(PushChannels.name, () => {
  let google: EmulatorHarness;
  let control: SandboxControl;
  let api: calendar_v3.Calendar;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    google = await startGoogle();
    control = new SandboxControl(google.url);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await google.stop();
    await new Promise((resolve) => receiver.server.close(resolve));
  });
  beforeEach(async () => {
    await control.reset();
    receiver.received.length = 0;
    receiver.setStatus(200);
    ({ api } = await connect(google.url));
  });

  it('sends sync, then exists on every change, with the X-Goog headers; stops when the channel is stopped', async () => {
    const watched = await api.events.watch({
      calendarId: 'primary',
      requestBody: { id: 'channel-1', type: 'web_hook', address: receiver.url, token: 'connection=42' },
    });
    const channel: calendar_v3.Schema$Channel = watched.data;
    expect(channel).toMatchObject({ kind: 'api#channel', id: 'channel-1', resourceId: expect.any(String), token: 'connection=42' });
    expect(Number(channel.expiration)).toBeGreaterThan(Date.now());

    const sync = await until(() => receiver.received[0]);
    expect(sync.method).toBe('POST');
    expect(sync.body).toBe('');
    expect(sync.headers).toMatchObject({
      'x-goog-channel-id': 'channel-1',
      'x-goog-channel-token': 'connection=42',
      'x-goog-resource-id': channel.resourceId,
      'x-goog-resource-uri': `${google.url}/calendar/v3/calendars/sandbox.user%40example.com/events?alt=json`,
      'x-goog-resource-state': 'sync',
      'x-goog-message-number': '1',
    });
    expect(Date.parse(String(sync.headers['x-goog-channel-expiration']))).toBe(Math.floor(Number(channel.expiration) / 1000) * 1000);

    await api.events.insert({ calendarId: 'primary', requestBody: event('push-1') });
    const created = await until(() => receiver.received[1]);
    expect(created.headers).toMatchObject({ 'x-goog-resource-state': 'exists', 'x-goog-message-number': '2' });

    await control.google.externalChange('primary', eventId('push-1'), { action: 'move' });
    const moved = await until(() => receiver.received[2]);
    expect(moved.headers).toMatchObject({ 'x-goog-resource-state': 'exists', 'x-goog-message-number': '3' });

    await expect(api.channels.stop({ requestBody: { id: 'channel-1', resourceId: channel.resourceId } })).resolves.toMatchObject({ status: 204 });
    await api.events.delete({ calendarId: 'primary', eventId: eventId('push-1') });
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(receiver.received).toHaveLength(3);
    const unknown = await api.channels.stop({ requestBody: { id: 'channel-1', resourceId: channel.resourceId } }).catch(responseOf);
    expect(unknown).toMatchObject({ status: 404 });

    const { activities } = await control.activities();
    expect(activities.filter((activity) => activity.kind === 'delivery')).toHaveLength(3);
  });

  it('refuses a reused channel id and retries a failing endpoint', async () => {
    await api.events.watch({ calendarId: 'primary', requestBody: { id: 'channel-2', type: 'web_hook', address: receiver.url } });
    const reused = await api.events
      .watch({ calendarId: 'primary', requestBody: { id: 'channel-2', type: 'web_hook', address: receiver.url } })
      .catch(responseOf);
    expect(reused).toMatchObject({ status: 400, data: { error: { errors: [{ reason: 'channelIdNotUnique' }] } } });

    await until(() => receiver.received[0]);
    receiver.setStatus(500);
    await api.events.insert({ calendarId: 'primary', requestBody: event('push-2') });
    // one sync delivery, then three attempts at the change notification (the first try and two retries)
    await until(() => (receiver.received.length >= 4 ? true : undefined));
    const { deliveries } = await control.google.deliveries();
    expect(deliveries[1]).toMatchObject({ state: 'exists', messageNumber: 2, attempts: 3, status: 500 });
    expect(receiver.received.slice(1).map((request) => request.headers['x-goog-message-number'])).toEqual(['2', '2', '2']);
  });

  describe('quota and faults through the real SDK', () => {
    it('answers 429 with Retry-After in the Google error shape when over quota', async () => {
      await control.setQuota({ limit: 1, windowMs: 60_000 });
      await api.events.insert({ calendarId: 'primary', requestBody: event('quota-1') });
      const limited = await api.events.insert({ calendarId: 'primary', requestBody: event('quota-2') }).then(() => undefined, responseOf);
      expect(limited?.status).toBe(429);
      expect(limited?.data).toMatchObject({ error: { code: 429, errors: [{ domain: 'usageLimits', reason: 'rateLimitExceeded' }] } });
      expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThan(0);
      await expect(control.stats()).resolves.toMatchObject({ rateLimited: 1 });
    });

    it('injects a 503 that the SDK retries (GET), a delay past the client timeout and a dropped connection', async () => {
      await control.addFault({ method: 'GET', path: '/events$', status: 503, count: 1 });
      await expect(api.events.list({ calendarId: 'primary' })).resolves.toMatchObject({ status: 200 });
      const { entries } = await control.journal();
      expect(entries.filter((entry) => entry.method === 'GET' && entry.path.endsWith('/events')).map((entry) => entry.status)).toEqual([503, 200]);

      await control.addFault({ method: 'POST', path: '/events$', status: 500, count: 1 });
      // googleapis never retries an insert: the 500 reaches the caller in Google's shape
      await expect(api.events.insert({ calendarId: 'primary', requestBody: event('fault-1') }).catch(responseOf)).resolves.toMatchObject({
        status: 500,
        data: { error: { code: 500, errors: [{ reason: 'backendError' }] } },
      });

      await control.addFault({ method: 'POST', path: '/events$', delayMs: 400 });
      await expect(api.events.insert({ calendarId: 'primary', requestBody: event('fault-2') }, { timeout: 100, retry: false })).rejects.toThrow();

      await control.addFault({ method: 'POST', path: '/events$', drop: true });
      await expect(api.events.insert({ calendarId: 'primary', requestBody: event('fault-3') }, { retry: false })).rejects.toThrow();
      await expect(control.stats()).resolves.toMatchObject({ faultsInjected: 4 });
    });
  });
});
