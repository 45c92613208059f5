import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { startEmulator, type EmulatorHarness } from '../../sandbox/core/server.js';
import { createZoomEmulator } from '../../sandbox/zoom/index.js';

const CLIENT_ID = 'sandbox-zoom-client-id';
const CLIENT_SECRET = 'sandbox-zoom-client-secret';
const ACCOUNT_ID = 'sandbox-zoom-account';
const SECRET_TOKEN = 'sandbox-zoom-webhook-secret';
const REDIRECT_URI = 'http://localhost:3000/api/integrations/video/oauth/zoom/callback';
const BASIC = `Basic ${Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64')}`;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * The vendored spec (zoom/api openapi.v2.json) predates Zoom's switch to numeric ids: today's API reference types
 * meeting `id` and `pmi` as int64 and recording `total_size`/`recording_count` as integers. Those fields are
 * corrected here; everything else is checked as published.
 */
function zoomSpec(): Json {
  const spec = JSON.parse(readFileSync(join(process.cwd(), 'sandbox/specs/zoom-openapi.v2.json'), 'utf8')) as Json;
  const fix = (node: unknown): void => {
    if (!node || typeof node !== 'object') return;
    const properties = (node as Json).properties as Json | undefined;
    if (properties) {
      if (properties.id?.description?.startsWith('Meeting ID')) properties.id = { type: 'integer' };
      if (properties.pmi) properties.pmi = { type: 'integer' };
      if (properties.total_size) properties.total_size = { type: 'integer' };
      if (properties.recording_count) properties.recording_count = { type: 'integer' };
    }
    for (const value of Object.values(node)) fix(value);
  };
  fix(spec);
  return spec;
}

const spec = zoomSpec();
const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
function expectSchema(path: string, method: string, status: string, body: unknown): void {
  const schema = spec.paths[path][method].responses[status].schema as Json;
  const validate = ajv.compile({ ...schema, definitions: spec.definitions });
  const valid = validate(body);
  expect(validate.errors ?? []).toEqual([]);
  expect(valid).toBe(true);
}

async function form(base: string, path: string, params: Record<string, string>, authorization = BASIC) {
  const response = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

async function userTokens(base: string, loginHint?: string): Promise<Json> {
  const url = new URL(`${base}/oauth/authorize`);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    state: 'zoom-state',
    ...(loginHint ? { login_hint: loginHint } : {}),
  }).toString();
  const redirect = await fetch(url, { redirect: 'manual' });
  const location = new URL(redirect.headers.get('location')!);
  expect(location.searchParams.get('state')).toBe('zoom-state');
  const code = location.searchParams.get('code')!;
  const { status, body } = await form(base, '/oauth/token', { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI });
  expect(status).toBe(200);
  return { ...body, code };
}

interface Received {
  headers: IncomingHttpHeaders;
  raw: string;
  body: Json;
}

async function startWebhookReceiver() {
  const received: Received[] = [];
  const server: Server = createServer((request, response) => {
    let raw = '';
    request.on('data', (chunk) => (raw += chunk));
    request.on('end', () => {
      const body = JSON.parse(raw) as Json;
      received.push({ headers: request.headers, raw, body });
      if (body.event === 'endpoint.url_validation') {
        const plainToken = body.payload.plainToken as string;
        const encryptedToken = createHmac('sha256', SECRET_TOKEN).update(plainToken).digest('hex');
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ plainToken, encryptedToken }));
        return;
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/integrations/video/webhooks/zoom`;
  return { url, received, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('createZoomEmulator', () => {
  let emulator: EmulatorHarness;
  let base: string;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    emulator = await startEmulator(createZoomEmulator({ webhook: { url: receiver.url, secretToken: SECRET_TOKEN } }), { port: 0 });
    base = emulator.url;
  });
  afterAll(async () => {
    await emulator.stop();
    await receiver.stop();
  });
  beforeEach(() => {
    emulator.reset();
    receiver.received.length = 0;
  });

  const api = async (token: string, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: text ? (JSON.parse(text) as Json) : undefined };
  };

  const createMeeting = async (token: string, settings: Json = {}) => {
    const created = await api(token, 'POST', '/v2/users/me/meetings', {
      topic: 'Session',
      type: 2,
      start_time: '2030-03-04T10:00:00Z',
      duration: 50,
      timezone: 'UTC',
      settings: { waiting_room: true, join_before_host: false, ...settings },
    });
    expect(created.status).toBe(201);
    return created.body!;
  };

  it('runs the user OAuth flow with rotating refresh tokens; the replaced refresh token is invalid_grant', async () => {
    const tokens = await userTokens(base, 'dr.ada@practice.example');
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 3600, api_url: base });
    const reused = await form(base, '/oauth/token', { grant_type: 'authorization_code', code: tokens.code, redirect_uri: REDIRECT_URI });
    expect(reused).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

    const refreshed = await form(base, '/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(tokens.refresh_token);
    const stale = await form(base, '/oauth/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(stale).toEqual({ status: 400, body: { reason: 'Invalid Token!', error: 'invalid_grant' } });

    const me = await api(refreshed.body.access_token, 'GET', '/v2/users/me');
    expect(me.body).toMatchObject({ email: 'dr.ada@practice.example', account_id: ACCOUNT_ID });
    expectSchema('/users/{userId}', 'get', '200', me.body);
    await expect(api(tokens.access_token, 'GET', '/v2/users/me')).resolves.toMatchObject({ status: 200 });

    const revoked = await form(base, '/oauth/revoke', { token: refreshed.body.access_token });
    expect(revoked).toEqual({ status: 200, body: { status: 'success' } });
    await expect(api(refreshed.body.access_token, 'GET', '/v2/users/me')).resolves.toMatchObject({
      status: 401,
      body: { code: 124, message: 'Invalid access token.' },
    });
  });

  it('issues Server-to-Server tokens for account_credentials with Basic auth and the account id', async () => {
    const granted = await form(base, '/oauth/token', { grant_type: 'account_credentials', account_id: ACCOUNT_ID });
    expect(granted.status).toBe(200);
    expect(granted.body.refresh_token).toBeUndefined();
    await expect(api(granted.body.access_token, 'GET', '/v2/users/me')).resolves.toMatchObject({ status: 200 });

    const wrongAccount = await form(base, '/oauth/token', { grant_type: 'account_credentials', account_id: 'other' });
    expect(wrongAccount.status).toBe(400);
    const wrongSecret = await form(base, '/oauth/token', { grant_type: 'account_credentials', account_id: ACCOUNT_ID }, `Basic ${Buffer.from(`${CLIENT_ID}:nope`).toString('base64')}`);
    expect(wrongSecret).toMatchObject({ status: 401, body: { error: 'invalid_client' } });

    await fetch(`${base}/__sandbox/clock/advance`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds: 3601 }),
    });
    await expect(api(granted.body.access_token, 'GET', '/v2/users/me')).resolves.toMatchObject({
      status: 401,
      body: { code: 124, message: 'Access token is expired.' },
    });
  });

  it('creates (201), reads, patches (204) and deletes (204) meetings in Zoom shape', async () => {
    const { access_token: token } = await userTokens(base);
    const meeting = await createMeeting(token);
    expect(meeting).toMatchObject({
      id: expect.any(Number),
      uuid: expect.any(String),
      host_id: expect.any(String),
      join_url: expect.stringContaining(`/j/${meeting.id}?pwd=`),
      start_url: expect.stringContaining(`/s/${meeting.id}`),
      password: expect.any(String),
      start_time: '2030-03-04T10:00:00Z',
      settings: expect.objectContaining({ waiting_room: true, auto_recording: 'none' }),
    });
    expectSchema('/users/{userId}/meetings', 'post', '201', meeting);

    const patched = await api(token, 'PATCH', `/v2/meetings/${meeting.id}`, { start_time: '2030-03-05T11:00:00Z', settings: { auto_recording: 'cloud' } });
    expect(patched).toMatchObject({ status: 204, text: '' });
    const read = await api(token, 'GET', `/v2/meetings/${meeting.id}`);
    expect(read.body).toMatchObject({ start_time: '2030-03-05T11:00:00Z', settings: expect.objectContaining({ auto_recording: 'cloud', waiting_room: true }) });
    expectSchema('/meetings/{meetingId}', 'get', '200', read.body);

    await expect(api(token, 'DELETE', `/v2/meetings/${meeting.id}`)).resolves.toMatchObject({ status: 204, text: '' });
    await expect(api(token, 'GET', `/v2/meetings/${meeting.id}`)).resolves.toMatchObject({
      status: 404,
      body: { code: 3001, message: `Meeting does not exist: ${meeting.id}.` },
    });
  });

  it('lists the host’s scheduled meetings in pages with next_page_token, without start_url or password', async () => {
    const { access_token: token } = await userTokens(base);
    const { access_token: otherToken } = await userTokens(base, 'dr.other@practice.example');
    await createMeeting(otherToken);
    const created = [];
    for (let index = 0; index < 5; index++) created.push(await createMeeting(token));
    const gone = created.pop()!;
    await api(token, 'DELETE', `/v2/meetings/${gone.id}`);

    const first = await api(token, 'GET', '/v2/users/me/meetings?type=scheduled&page_size=3');
    expect(first.status).toBe(200);
    expectSchema('/users/{userId}/meetings', 'get', '200', first.body);
    expect(first.body).toMatchObject({ page_size: 3, total_records: 4, next_page_token: expect.any(String) });
    const listed = first.body!.meetings[0] as Json;
    const original = created.find((meeting) => meeting.id === listed.id)!;
    expect(listed).toEqual({
      uuid: original.uuid,
      id: original.id,
      host_id: original.host_id,
      topic: 'Session',
      type: 2,
      start_time: '2030-03-04T10:00:00Z',
      duration: 50,
      timezone: 'UTC',
      agenda: '',
      created_at: expect.any(String),
      join_url: original.join_url,
    });
    const second = await api(token, 'GET', `/v2/users/me/meetings?type=scheduled&page_size=3&next_page_token=${first.body!.next_page_token}`);
    expectSchema('/users/{userId}/meetings', 'get', '200', second.body);
    expect(second.body).toMatchObject({ total_records: 4, next_page_token: '' });
    const ids = [...first.body!.meetings, ...second.body!.meetings].map((meeting: Json) => meeting.id);
    expect(ids.sort()).toEqual(created.map((meeting) => meeting.id).sort());

    await expect(api(token, 'GET', '/v2/users/me/meetings?type=upcoming')).resolves.toMatchObject({ status: 200, body: { total_records: 4 } });
    await expect(api(token, 'GET', '/v2/users/me/meetings?type=scheduled&next_page_token=bogus')).resolves.toMatchObject({ status: 400, body: { code: 300 } });
    await expect(api(token, 'GET', '/v2/users/someone-else/meetings')).resolves.toMatchObject({ status: 404, body: { code: 1001 } });
  });

  it('pages past participants with next_page_token; a UUID with // must be double-encoded; webhooks are signed', async () => {
    const { access_token: token } = await userTokens(base);
    const meeting = await createMeeting(token, { auto_recording: 'cloud' });
    const uuid = '/Ab3+cD//ef9GhIjKlMn0Q==';
    const people = Array.from({ length: 5 }, (_, index) => ({
      name: `Person ${index}`,
      email: `person${index}@example.com`,
      joinOffsetSeconds: index * 10,
      durationSeconds: 1800,
    }));
    const simulated = await fetch(`${base}/__sandbox/meetings/${meeting.id}/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ uuid, participants: people }),
    });
    expect(simulated.status).toBe(200);

    const single = await api(token, 'GET', `/v2/past_meetings/${encodeURIComponent(uuid)}/participants`);
    expect(single).toMatchObject({ status: 404, body: { code: 3001 } });

    const doubled = encodeURIComponent(encodeURIComponent(uuid));
    const names: string[] = [];
    let nextPageToken = '';
    do {
      const query = new URLSearchParams({ page_size: '2', ...(nextPageToken ? { next_page_token: nextPageToken } : {}) });
      const page = await api(token, 'GET', `/v2/past_meetings/${doubled}/participants?${query}`);
      expect(page.status).toBe(200);
      expectSchema('/past_meetings/{meetingUUID}/participants', 'get', '200', page.body);
      expect(page.body).toMatchObject({ page_size: 2, total_records: 5, page_count: 3 });
      names.push(...(page.body!.participants as Json[]).map((participant) => participant.name as string));
      expect(page.body!.participants[0].user_email).toMatch(/@example\.com$/);
      nextPageToken = page.body!.next_page_token as string;
    } while (nextPageToken);
    expect(names).toEqual(people.map((person) => person.name));

    const recordings = await api(token, 'GET', `/v2/meetings/${meeting.id}/recordings`);
    expect(recordings.status).toBe(200);
    expect(recordings.body).toMatchObject({ uuid, recording_count: 2 });
    expect(recordings.body!.recording_files[0]).toMatchObject({ file_type: 'MP4', status: 'completed', download_url: expect.any(String) });
    expectSchema('/meetings/{meetingId}/recordings', 'get', '200', recordings.body);
    await expect(api(token, 'GET', `/v2/meetings/${doubled}/recordings`)).resolves.toMatchObject({ status: 200 });

    const events = receiver.received.map((delivery) => delivery.body.event as string);
    expect(events.filter((event) => event === 'meeting.participant_joined')).toHaveLength(5);
    expect(events.filter((event) => event === 'meeting.participant_left')).toHaveLength(5);
    expect(events).toContain('recording.completed');
    for (const delivery of receiver.received) {
      const timestamp = delivery.headers['x-zm-request-timestamp'] as string;
      const expected = `v0=${createHmac('sha256', SECRET_TOKEN).update(`v0:${timestamp}:${delivery.raw}`).digest('hex')}`;
      expect(delivery.headers['x-zm-signature']).toBe(expected);
    }
    const joined = receiver.received.find((delivery) => delivery.body.event === 'meeting.participant_joined')!.body;
    expect(joined.payload).toMatchObject({
      account_id: ACCOUNT_ID,
      object: { id: String(meeting.id), uuid, participant: { user_name: 'Person 0', email: 'person0@example.com' } },
    });
  });

  it('omits participant names and emails and has no cloud recording in a HIPAA account', async () => {
    await fetch(`${base}/__sandbox/settings`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ hipaa: true }),
    });
    const { access_token: token } = await userTokens(base);
    const meeting = await createMeeting(token, { auto_recording: 'cloud' });
    expect(meeting.settings.auto_recording).toBe('local');
    await fetch(`${base}/__sandbox/meetings/${meeting.id}/simulate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ participants: [{ name: 'Client Name', email: 'client@example.com' }], recording: true }),
    });
    const page = await api(token, 'GET', `/v2/past_meetings/${encodeURIComponent(encodeURIComponent(meeting.uuid))}/participants`);
    expect(page.status).toBe(200);
    expect(page.body!.participants).toHaveLength(1);
    expect(page.body!.participants[0].name).toBe('');
    expect(page.body!.participants[0]).not.toHaveProperty('user_email');
    await expect(api(token, 'GET', `/v2/meetings/${meeting.id}/recordings`)).resolves.toMatchObject({ status: 404, body: { code: 3301 } });

    const joined = receiver.received.find((delivery) => delivery.body.event === 'meeting.participant_joined')!.body;
    expect(joined.payload.object.participant.user_name).toBe('');
    expect(joined.payload.object.participant).not.toHaveProperty('email');
    expect(receiver.received.map((delivery) => delivery.body.event)).not.toContain('recording.completed');
  });

  it('sends the endpoint.url_validation challenge and checks the encryptedToken', async () => {
    const result = await fetch(`${base}/__sandbox/webhook/validate`, { method: 'POST' });
    await expect(result.json()).resolves.toMatchObject({ ok: true, status: 200 });
    expect(receiver.received[0].body).toMatchObject({ event: 'endpoint.url_validation', payload: { plainToken: expect.any(String) } });

    await fetch(`${base}/__sandbox/webhook`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: receiver.url, secretToken: 'a-different-secret' }),
    });
    const failed = await fetch(`${base}/__sandbox/webhook/validate`, { method: 'POST' });
    await expect(failed.json()).resolves.toMatchObject({ ok: false });
  });

  it('answers 429 with Retry-After and a Zoom error body over quota', async () => {
    const { access_token: token } = await userTokens(base);
    await fetch(`${base}/__sandbox/quota`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ limit: 1, windowMs: 60_000 }),
    });
    await expect(api(token, 'GET', '/v2/users/me')).resolves.toMatchObject({ status: 200 });
    const limited = await api(token, 'GET', '/v2/users/me');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(limited.body).toMatchObject({ code: 429, message: expect.stringContaining('rate limit') });
  });
});
