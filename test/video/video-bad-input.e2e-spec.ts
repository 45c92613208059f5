import { createHmac } from 'node:crypto';
import { VideoController } from '../../src/video/video.controller.js';
import { auth, count, journal, lastSeq, sessionIn, startVideoKit, type VideoKit } from './video-kit.js';

const TABLES = ['video_meetings', 'meeting_reminders', 'video_webhook_events', 'phi_access_logs', 'connections', 'oauth_states'];

describe(`${VideoController.name} refuses malformed requests (e2e)`, () => {
  let kit: VideoKit;
  let withMeeting: string;
  let bare: string;
  let cancelled: string;
  const missing = '00000000-0000-4000-8000-000000000000';

  beforeAll(async () => {
    kit = await startVideoKit();
    withMeeting = (await sessionIn(kit.t, kit.cast.therapist.token, kit.cast.client.id, 48)).id;
    await kit.t.http.post(`/api/integrations/video/sessions/${withMeeting}/zoom`).set(auth(kit.cast.therapist.token)).expect(201);
    bare = (await sessionIn(kit.t, kit.cast.therapist.token, kit.cast.client.id, 60)).id;
    cancelled = (await sessionIn(kit.t, kit.cast.therapist.token, kit.cast.client.id, 70)).id;
    await kit.t.http.delete(`/api/sessions/${cancelled}`).set(auth(kit.cast.therapist.token)).expect(200);
  });
  afterAll(() => kit.close());

  const base = '/api/integrations/video';
  const put = (sessionId: () => string, body: unknown, token = () => kit.cast.therapist.token) => ({
    method: 'put' as const,
    path: () => `${base}/sessions/${sessionId()}/meeting`,
    token,
    body,
  });
  const valid = { provider: 'zoom', meetingId: '123456789', joinUrl: 'https://zoom.us/j/123456789' };
  const zoomSigned = (body: string) => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    return { 'x-zm-request-timestamp': timestamp, 'x-zm-signature': `v0=${createHmac('sha256', 'wrong-secret').update(`v0:${timestamp}:${body}`).digest('hex')}` };
  };

  type Case = {
    method: 'get' | 'post' | 'put' | 'delete';
    path: () => string;
    token?: () => string;
    body?: unknown;
    raw?: string;
    headers?: () => Record<string, string>;
  };

  const cases: Array<[string, Case, number, string]> = [
    ['a session id that is not a UUID', { method: 'post', path: () => `${base}/sessions/not-a-uuid/zoom`, token: () => kit.cast.therapist.token }, 400, 'VALIDATION_ERROR'],
    ['an unknown provider', { method: 'post', path: () => `${base}/sessions/${bare}/skype`, token: () => kit.cast.therapist.token }, 400, 'PROVIDER_NOT_SUPPORTED'],
    ['a session that does not exist', { method: 'post', path: () => `${base}/sessions/${missing}/zoom`, token: () => kit.cast.therapist.token }, 404, 'SESSION_NOT_FOUND'],
    ['another therapist’s session', { method: 'post', path: () => `${base}/sessions/${bare}/zoom`, token: () => kit.cast.otherTherapist.token }, 404, 'SESSION_NOT_FOUND'],
    ['a client creating a meeting', { method: 'post', path: () => `${base}/sessions/${bare}/zoom`, token: () => kit.cast.client.token }, 403, 'FORBIDDEN'],
    ['no token', { method: 'post', path: () => `${base}/sessions/${bare}/zoom` }, 401, 'UNAUTHORIZED'],
    ['a cancelled session', { method: 'post', path: () => `${base}/sessions/${cancelled}/zoom`, token: () => kit.cast.therapist.token }, 409, 'INVALID_SESSION_STATE'],
    ['a meeting that does not exist', { method: 'get', path: () => `${base}/sessions/${bare}/meeting`, token: () => kit.cast.therapist.token }, 404, 'MEETING_NOT_FOUND'],
    ['another client’s meeting', { method: 'get', path: () => `${base}/sessions/${withMeeting}/meeting`, token: () => kit.cast.otherClient.token }, 404, 'SESSION_NOT_FOUND'],
    ['an unknown field', put(() => bare, { ...valid, hostKey: 'x' }), 400, 'VALIDATION_ERROR'],
    ['a meeting id of the wrong type', put(() => bare, { ...valid, meetingId: 123456789 }), 400, 'VALIDATION_ERROR'],
    ['an oversized meeting id', put(() => bare, { ...valid, meetingId: '9'.repeat(300) }), 400, 'VALIDATION_ERROR'],
    ['a javascript: join URL', put(() => bare, { ...valid, joinUrl: 'javascript:alert(1)' }), 400, 'VALIDATION_ERROR'],
    ['a join URL of another host', put(() => bare, { ...valid, joinUrl: 'https://evil.example.com/j/1' }), 400, 'VALIDATION_ERROR'],
    ['an unknown provider in the body', put(() => bare, { ...valid, provider: 'skype' }), 400, 'PROVIDER_NOT_SUPPORTED'],
    ['an oversized password', put(() => bare, { ...valid, password: 'x'.repeat(65) }), 400, 'VALIDATION_ERROR'],
    ['a body that is not JSON', { method: 'put', path: () => `${base}/sessions/${bare}/meeting`, token: () => kit.cast.therapist.token, raw: '{"provider":' }, 400, 'INVALID_JSON'],
    ['a client updating a meeting', put(() => withMeeting, valid, () => kit.cast.client.token), 403, 'FORBIDDEN'],
    ['replacing a room created at Zoom', put(() => withMeeting, { ...valid, meetingId: '987654321' }), 409, 'MEETING_CONFLICT'],
    ['deleting with an unknown provider', { method: 'delete', path: () => `${base}/sessions/${withMeeting}/meeting/skype`, token: () => kit.cast.therapist.token }, 400, 'PROVIDER_NOT_SUPPORTED'],
    ['deleting the wrong provider’s meeting', { method: 'delete', path: () => `${base}/sessions/${withMeeting}/meeting/teams`, token: () => kit.cast.therapist.token }, 404, 'MEETING_NOT_FOUND'],
    ['deleting another therapist’s meeting', { method: 'delete', path: () => `${base}/sessions/${withMeeting}/meeting/zoom`, token: () => kit.cast.otherTherapist.token }, 404, 'SESSION_NOT_FOUND'],
    ['reminders without a meeting', { method: 'post', path: () => `${base}/sessions/${bare}/reminders`, token: () => kit.cast.therapist.token }, 404, 'MEETING_NOT_FOUND'],
    ['reminders by the client', { method: 'post', path: () => `${base}/sessions/${withMeeting}/reminders`, token: () => kit.cast.client.token }, 403, 'FORBIDDEN'],
    ['participants of another therapist’s session', { method: 'get', path: () => `${base}/sessions/${withMeeting}/participants`, token: () => kit.cast.otherTherapist.token }, 404, 'SESSION_NOT_FOUND'],
    ['recordings by the client', { method: 'get', path: () => `${base}/sessions/${withMeeting}/recording`, token: () => kit.cast.client.token }, 403, 'FORBIDDEN'],
    ['connect with an auth code of the wrong type', { method: 'post', path: () => `${base}/zoom/connect`, token: () => kit.cast.therapist.token, body: { authCode: 42 } }, 400, 'VALIDATION_ERROR'],
    ['connect without an auth code', { method: 'post', path: () => `${base}/zoom/connect`, token: () => kit.cast.therapist.token, body: {} }, 400, 'MISSING_AUTH_CODE'],
    ['connect with a state we never issued', { method: 'post', path: () => `${base}/zoom/connect`, token: () => kit.cast.therapist.token, body: { authCode: 'abc', state: 'forged' } }, 400, 'INVALID_OAUTH_STATE'],
    ['authorize-url for an unknown provider', { method: 'get', path: () => `${base}/skype/authorize-url`, token: () => kit.cast.therapist.token }, 400, 'PROVIDER_NOT_SUPPORTED'],
    ['a Zoom webhook signed with another secret', { method: 'post', path: () => `${base}/webhooks/zoom`, raw: '{"event":"meeting.started","payload":{"object":{"id":"1"}}}', headers: () => zoomSigned('{"event":"meeting.started","payload":{"object":{"id":"1"}}}') }, 401, 'WEBHOOK_ERROR'],
    ['a Zoom webhook without a signature', { method: 'post', path: () => `${base}/webhooks/zoom`, body: { event: 'endpoint.url_validation', payload: { plainToken: 'x' } } }, 401, 'WEBHOOK_ERROR'],
  ];

  it(`answers ${cases.length} malformed requests with a 4xx envelope and a code, storing, calling and sending nothing`, async () => {
    const before = await Promise.all(TABLES.map((table) => count(kit.t, table)));
    const zoomSince = await lastSeq(kit.sandbox, 'zoom');
    const microsoftSince = await lastSeq(kit.sandbox, 'microsoft');
    kit.sandbox.smtp!.reset();
    const answers: Array<[string, number, string]> = [];
    for (const [name, request, , ] of cases) {
      let call = kit.t.http[request.method](request.path());
      if (request.token) call = call.set(auth(request.token()));
      if (request.headers) call = call.set(request.headers());
      if (request.raw !== undefined) call = call.set('content-type', 'application/json').send(request.raw);
      else if (request.body !== undefined) call = call.send(request.body as object);
      const response = await call;
      expect(response.body).toMatchObject({ success: false, message: expect.any(String), code: expect.any(String) });
      answers.push([name, response.status, response.body.code]);
    }
    expect(answers).toEqual(cases.map(([name, , status, code]) => [name, status, code]));
    expect(await Promise.all(TABLES.map((table) => count(kit.t, table)))).toEqual(before);
    expect(await journal(kit.sandbox, 'zoom', zoomSince)).toEqual([]);
    expect(await journal(kit.sandbox, 'microsoft', microsoftSince)).toEqual([]);
    expect(kit.sandbox.smtp!.messages()).toEqual([]);
  });
});
