import { createHmac, randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { roomMarker } from '../../src/video/providers/room-marker.js';
import { MeetingRemindersService } from '../../src/video/reminders/meeting-reminders.service.js';
import { VideoController } from '../../src/video/video.controller.js';
import { auth, count, journal, lastSeq, sessionIn, startVideoKit, waitFor, type VideoKit, ZOOM_WEBHOOK_SECRET } from './video-kit.js';

type Session = { id: string; startTime: string; endTime: string };

describe(`${VideoController.name} with Zoom (e2e)`, () => {
  let kit: VideoKit;
  let session: Session;
  let meetingId: string;
  let startUrl: string;
  const http = () => kit.t.http;
  const db = () => kit.t.app.get(DataSource);
  const zoom = () => kit.sandbox.control('zoom');
  /** Zoom's own view, as the practice account sees it */
  const zoomApi = async (path: string) => {
    const base = kit.sandbox.urls.zoom!;
    const granted = await fetch(`${base}/oauth/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from('sandbox-zoom-client-id:sandbox-zoom-client-secret').toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'account_credentials', account_id: 'sandbox-zoom-account' }),
    });
    const { access_token: token } = (await granted.json()) as { access_token: string };
    return (await (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${token}` } })).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const zoomMeetings = async () => (await zoomApi('/v2/users/me/meetings?type=scheduled&page_size=300')).meetings as Array<{ id: number; agenda: string }>;

  beforeAll(async () => {
    kit = await startVideoKit();
    session = await sessionIn(kit.t, kit.cast.therapist.token, kit.cast.client.id, 72);
  });
  afterAll(() => kit.close());

  describe('POST /sessions/:sessionId/zoom', () => {
    it('creates the room with the practice account: waiting room, passcode, no recording, the session’s time', async () => {
      const since = await lastSeq(kit.sandbox, 'zoom');
      const response = await http().post(`/api/integrations/video/sessions/${session.id}/zoom`).set(auth(kit.cast.therapist.token)).expect(201);
      expect(response.body).toEqual({
        success: true,
        data: {
          meetingId: expect.stringMatching(/^\d+$/),
          joinUrl: expect.stringContaining('https://zoom.us/j/'),
          password: expect.stringMatching(/^[A-Za-z0-9]{8}$/),
          startUrl: expect.stringContaining('https://zoom.us/s/'),
          provider: 'zoom',
        },
      });
      meetingId = response.body.data.meetingId;
      startUrl = response.body.data.startUrl;
      const calls = await journal(kit.sandbox, 'zoom', since);
      expect(calls.find((call) => call.path === '/oauth/token')?.body).toMatchObject({ grant_type: 'account_credentials', account_id: 'sandbox-zoom-account' });
      const created = calls.find((call) => call.method === 'POST' && call.status === 201);
      expect(created?.body).toMatchObject({
        type: 2,
        start_time: session.startTime.replace(/\.\d{3}Z$/, 'Z'),
        duration: 50,
        timezone: 'Europe/Berlin',
        topic: 'Therapy session',
        settings: { waiting_room: true, join_before_host: false, auto_recording: 'none' },
      });
      const logged = (await db().query(`SELECT status FROM integration_logs WHERE provider = 'zoom' AND action = 'meeting.create' AND session_id = $1`, [session.id])) as unknown[];
      expect(logged).toEqual([{ status: 'success' }]);
    });

    it('tags the room with an opaque marker of the session, nothing about the client', async () => {
      const created = (await journal(kit.sandbox, 'zoom')).find((call) => call.method === 'POST' && call.status === 201 && (call.body as { agenda?: string }).agenda === roomMarker(session.id));
      expect(created).toBeDefined();
      const agenda = (created!.body as { agenda: string }).agenda;
      expect(agenda).toMatch(/^ref:[0-9a-f]{32}$/);
      expect(agenda).not.toContain(session.id);
      expect(roomMarker(randomUUID())).not.toBe(agenda);
    });

    it('stores the passcode and start URL encrypted', async () => {
      const [row] = (await db().query('SELECT * FROM video_meetings WHERE session_id = $1', [session.id])) as Array<Record<string, string>>;
      expect(row.start_url_encrypted).toMatch(/^v1\./);
      expect(JSON.stringify(row)).not.toContain(startUrl);
      expect(JSON.stringify(row)).not.toContain('zak=');
    });

    it('returns the existing room when asked again (also by an admin), never a second one', async () => {
      const since = await lastSeq(kit.sandbox, 'zoom');
      const again = await http().post(`/api/integrations/video/sessions/${session.id}/zoom`).set(auth(kit.cast.therapist.token)).expect(200);
      const admin = await http().post(`/api/integrations/video/sessions/${session.id}/zoom`).set(auth(kit.cast.adminToken)).expect(200);
      expect(again.body.data.meetingId).toBe(meetingId);
      expect(admin.body.data.meetingId).toBe(meetingId);
      expect(await journal(kit.sandbox, 'zoom', since)).toEqual([]);
      const teams = await http().post(`/api/integrations/video/sessions/${session.id}/teams`).set(auth(kit.cast.therapist.token)).expect(409);
      expect(teams.body.code).toBe('MEETING_CONFLICT');
    });

    it('makes one room for concurrent creates', async () => {
      const other = await sessionIn(kit.t, kit.cast.therapist.token, kit.cast.client.id, 96);
      const since = await lastSeq(kit.sandbox, 'zoom');
      const answers = await Promise.all(
        [1, 2, 3].map(() => http().post(`/api/integrations/video/sessions/${other.id}/zoom`).set(auth(kit.cast.therapist.token))),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 200, 201]);
      expect(new Set(answers.map((answer) => answer.body.data.meetingId)).size).toBe(1);
      const creates = (await journal(kit.sandbox, 'zoom', since)).filter((call) => call.method === 'POST' && /\/meetings$/.test(call.path) && call.status === 201);
      expect(creates).toHaveLength(1);
    });

    it.each([
      ['the client', () => kit.cast.client.token, 403, 'FORBIDDEN'],
      ['another client', () => kit.cast.otherClient.token, 403, 'FORBIDDEN'],
      ['another therapist', () => kit.cast.otherTherapist.token, 404, 'SESSION_NOT_FOUND'],
    ])('refuses %s', async (_who, token, status, code) => {
      const response = await http().post(`/api/integrations/video/sessions/${session.id}/zoom`).set(auth(token())).expect(status);
      expect(response.body).toMatchObject({ success: false, code });
    });

    it('retries 429 (after Retry-After) and 500 from Zoom', async () => {
      const other = await sessionIn(kit.t, kit.cast.therapist.token, kit.cast.client.id, 120);
      await zoom().addFault({ method: 'POST', path: '/meetings$', count: 1, status: 429, headers: { 'retry-after': '1' } });
      await zoom().addFault({ method: 'POST', path: '/meetings$', count: 1, status: 500 });
      const since = await lastSeq(kit.sandbox, 'zoom');
      await http().post(`/api/integrations/video/sessions/${other.id}/zoom`).set(auth(kit.cast.therapist.token)).expect(201);
      const statuses = (await journal(kit.sandbox, 'zoom', since)).filter((call) => call.method === 'POST' && /\/meetings$/.test(call.path)).map((call) => call.status);
      expect(statuses).toEqual(expect.arrayContaining([429, 500, 201]));
    });

    it.each([
      ['a 500', { status: 500 }, 140],
      ['a dropped connection', { drop: true }, 142],
    ])('adopts the room Zoom made when the answer to the create was lost (%s), never making a second', async (_what, fault, hoursAhead) => {
      const other = await sessionIn(kit.t, kit.cast.therapist.token, kit.cast.client.id, hoursAhead);
      // the kit's therapist has no seat in the practice account, so the room is made under /users/me (the 1001 fallback)
      await zoom().addFault({ method: 'POST', path: '/users/me/meetings$', count: 1, after: true, ...fault });
      const since = await lastSeq(kit.sandbox, 'zoom');
      const response = await http().post(`/api/integrations/video/sessions/${other.id}/zoom`).set(auth(kit.cast.therapist.token)).expect(201);

      const rooms = (await zoomMeetings()).filter((meeting) => meeting.agenda === roomMarker(other.id));
      expect(rooms).toHaveLength(1);
      const room = await zoomApi(`/v2/meetings/${rooms[0].id}`);
      expect(response.body.data).toMatchObject({ meetingId: String(room.id), joinUrl: room.join_url, startUrl: room.start_url, password: room.password });
      const [row] = (await db().query('SELECT external_id FROM video_meetings WHERE session_id = $1', [other.id])) as Array<{ external_id: string }>;
      expect(row.external_id).toBe(String(room.id));
      const calls = (await journal(kit.sandbox, 'zoom', since)).filter((call) => call.path !== '/oauth/token').map((call) => `${call.method} ${call.path}`);
      expect(calls.filter((call) => call === 'POST /v2/users/me/meetings')).toHaveLength(1);
      expect(calls.slice(-2)).toEqual(['GET /v2/users/me/meetings', `GET /v2/meetings/${room.id}`]);
    });

    it('does not look for a lost room after a 429: Zoom refuses those before creating anything', async () => {
      const other = await sessionIn(kit.t, kit.cast.therapist.token, kit.cast.client.id, 144);
      await zoom().addFault({ method: 'POST', path: '/users/me/meetings$', count: 1, status: 429, headers: { 'retry-after': '1' } });
      const since = await lastSeq(kit.sandbox, 'zoom');
      await http().post(`/api/integrations/video/sessions/${other.id}/zoom`).set(auth(kit.cast.therapist.token)).expect(201);
      const calls = (await journal(kit.sandbox, 'zoom', since)).map((call) => `${call.method} ${call.path} ${call.status}`);
      expect(calls.filter((call) => call.startsWith('GET'))).toEqual([]);
      expect(calls.filter((call) => call.startsWith('POST /v2/users/me/meetings'))).toEqual(['POST /v2/users/me/meetings 429', 'POST /v2/users/me/meetings 201']);
    });

    it('answers ZOOM_MEETING_ERROR with the reason when Zoom keeps failing, and keeps nothing', async () => {
      const other = await sessionIn(kit.t, kit.cast.therapist.token, kit.cast.client.id, 130);
      await zoom().addFault({ method: 'POST', path: '/meetings$', count: 10, status: 503 });
      const response = await http().post(`/api/integrations/video/sessions/${other.id}/zoom`).set(auth(kit.cast.therapist.token)).expect(502);
      await zoom().clearFaults();
      expect(response.body).toMatchObject({ success: false, code: 'ZOOM_MEETING_ERROR', details: { reason: 'TEMPORARY', providerStatus: 503 } });
      expect(await db().query('SELECT id FROM video_meetings WHERE session_id = $1', [other.id])).toEqual([]);
    });
  });

  describe('GET /sessions/:sessionId/meeting', () => {
    it.each([
      ['the therapist', () => kit.cast.therapist.token, true],
      ['an admin', () => kit.cast.adminToken, true],
      ['the client', () => kit.cast.client.token, false],
    ])('answers %s (startUrl: %s)', async (_who, token, host) => {
      const response = await http().get(`/api/integrations/video/sessions/${session.id}/meeting`).set(auth(token())).expect(200);
      expect(response.body.data.meeting).toMatchObject({ meetingId, provider: 'zoom', joinUrl: expect.any(String), password: expect.any(String) });
      if (host) expect(response.body.data.meeting.startUrl).toBe(startUrl);
      else {
        expect(response.body.data.meeting).not.toHaveProperty('startUrl');
        expect(JSON.stringify(response.body)).not.toContain('zoom.us/s/');
      }
    });

    it.each([
      ['another therapist', () => kit.cast.otherTherapist.token],
      ['another client', () => kit.cast.otherClient.token],
    ])('answers %s 404', async (_who, token) => {
      const response = await http().get(`/api/integrations/video/sessions/${session.id}/meeting`).set(auth(token())).expect(404);
      expect(response.body.code).toBe('SESSION_NOT_FOUND');
    });
  });

  describe('reminders', () => {
    it('emails the therapist the host link and the client only the join link', async () => {
      kit.sandbox.smtp!.reset();
      await http().post(`/api/integrations/video/sessions/${session.id}/reminders`).set(auth(kit.cast.therapist.token)).expect(200, {
        success: true,
        message: 'Meeting reminders sent successfully',
      });
      const mails = kit.sandbox.smtp!.messages();
      expect(mails).toHaveLength(2);
      const toTherapist = mails.find((mail) => mail.envelope.to.includes(kit.cast.therapist.email))!;
      const toClient = mails.find((mail) => mail.envelope.to.includes(kit.cast.client.email))!;
      expect(toTherapist.text).toContain(startUrl);
      expect(toClient.text).toContain('https://zoom.us/j/');
      // the raw message too, with quoted-printable soft breaks undone
      for (const text of [toClient.text!, toClient.raw.replace(/=\r?\n/g, '')]) {
        expect(text).not.toContain('zoom.us/s/');
        expect(text).not.toContain(startUrl.split('zak=')[1]);
      }
    });

    it.each([
      ['the client', () => kit.cast.client.token, 403],
      ['another therapist', () => kit.cast.otherTherapist.token, 404],
      ['another client', () => kit.cast.otherClient.token, 403],
    ])('refuses %s and sends nothing', async (_who, token, status) => {
      kit.sandbox.smtp!.reset();
      await http().post(`/api/integrations/video/sessions/${session.id}/reminders`).set(auth(token())).expect(status);
      expect(kit.sandbox.smtp!.messages()).toEqual([]);
    });

    it('plans 24 h and 1 h reminders, replans them on reschedule, and sends a slot once', async () => {
      const jobs = async (sessionId: string) =>
        (await db().query(`SELECT data, start_after FROM pgboss.job WHERE name = 'video.meeting-reminder' AND data->>'sessionId' = $1 ORDER BY start_after`, [sessionId])) as Array<{
          data: { slot: string; sessionStart: string };
          start_after: Date;
        }>;
      const planned = await jobs(session.id);
      expect(planned.map((job) => job.data.slot).sort()).toEqual(['1440m', '60m']);
      expect(planned[0].start_after.getTime()).toBe(new Date(session.startTime).getTime() - 1440 * 60_000);
    });

    it('sends a due slot once, however often its job runs, and skips a slot planned for an older start', async () => {
      kit.sandbox.smtp!.reset();
      const reminders = kit.t.app.get(MeetingRemindersService);
      const job = (data: object) => ({ id: randomUUID(), queue: 'video.meeting-reminder', retryCount: 0, signal: new AbortController().signal, data: data as never });
      const due = { sessionId: session.id, slot: '60m', sessionStart: new Date(session.startTime).toISOString() };
      await reminders.onReminderDue(job(due));
      await reminders.onReminderDue(job(due));
      await reminders.onReminderDue(job({ ...due, sessionStart: new Date(Date.parse(session.startTime) - 3_600_000).toISOString() }));
      expect(kit.sandbox.smtp!.messages()).toHaveLength(2);
      expect(await count(kit.t, `meeting_reminders WHERE session_id = '${session.id}' AND slot = '60m'`)).toBe(1);
    });
  });

  describe('session changes reach Zoom', () => {
    it('moves the room when the session is rescheduled, and replans reminders', async () => {
      const moved = new Date(new Date(session.startTime).getTime() + 2 * 3_600_000);
      const since = await lastSeq(kit.sandbox, 'zoom');
      await http()
        .patch(`/api/sessions/${session.id}`)
        .set(auth(kit.cast.therapist.token))
        .send({ startTime: moved.toISOString(), endTime: new Date(moved.getTime() + 60 * 60_000).toISOString() })
        .expect(200);
      const patch = await waitFor(async () => (await journal(kit.sandbox, 'zoom', since)).find((call) => call.method === 'PATCH'));
      expect(patch.path).toBe(`/v2/meetings/${meetingId}`);
      expect(patch.body).toEqual({ start_time: moved.toISOString().replace(/\.\d{3}Z$/, 'Z'), duration: 60, timezone: 'Europe/Berlin' });
      const starts = (await db().query(`SELECT DISTINCT data->>'sessionStart' AS start FROM pgboss.job WHERE name = 'video.meeting-reminder' AND data->>'sessionId' = $1`, [session.id])) as Array<{ start: string }>;
      expect(starts.map((row) => row.start)).toContain(moved.toISOString());
    });

    it('deletes the room when the session is cancelled', async () => {
      const doomed = await sessionIn(kit.t, kit.cast.therapist.token, kit.cast.client.id, 150);
      const created = await http().post(`/api/integrations/video/sessions/${doomed.id}/zoom`).set(auth(kit.cast.therapist.token)).expect(201);
      const since = await lastSeq(kit.sandbox, 'zoom');
      await http().delete(`/api/sessions/${doomed.id}`).set(auth(kit.cast.therapist.token)).expect(200);
      const removed = await waitFor(async () => (await journal(kit.sandbox, 'zoom', since)).find((call) => call.method === 'DELETE'));
      expect(removed.path).toBe(`/v2/meetings/${created.body.data.meetingId}`);
      await waitFor(async () => (await http().get(`/api/integrations/video/sessions/${doomed.id}/meeting`).set(auth(kit.cast.therapist.token))).status === 404);
    });
  });

  describe('participants and recordings', () => {
    let held: Session;
    let heldMeetingId: string;

    beforeAll(async () => {
      held = await sessionIn(kit.t, kit.cast.therapist.token, kit.cast.client.id, 30);
      heldMeetingId = (await http().post(`/api/integrations/video/sessions/${held.id}/zoom`).set(auth(kit.cast.therapist.token)).expect(201)).body.data.meetingId;
      const people = Array.from({ length: 650 }, (_, index) => ({ name: `Person ${index}`, email: `p${index}@example.test`, durationSeconds: 600 }));
      await zoom().request('POST', `meetings/${heldMeetingId}/simulate`, { participants: people, recording: true });
    });

    it('reads every page of past-meeting participants in the seed’s shape, and records the access', async () => {
      const since = await lastSeq(kit.sandbox, 'zoom');
      const response = await http().get(`/api/integrations/video/sessions/${held.id}/participants`).set(auth(kit.cast.therapist.token)).expect(200);
      expect(response.body.data.participants).toHaveLength(650);
      expect(response.body.data.participants[0]).toEqual({
        id: expect.any(String),
        name: 'Person 0',
        email: 'p0@example.test',
        joinTime: expect.any(String),
        leaveTime: expect.any(String),
        duration: 10,
      });
      const pages = (await journal(kit.sandbox, 'zoom', since)).filter((call) => call.path.includes('/participants'));
      expect(pages).toHaveLength(3);
      const trail = (await db().query(`SELECT actor_id, resource_type FROM phi_access_logs WHERE session_id = $1`, [held.id])) as unknown[];
      expect(trail).toEqual([{ actor_id: kit.cast.therapist.id, resource_type: 'meeting_participants' }]);
    });

    it('reads the cloud recording in the seed’s shape', async () => {
      const response = await http().get(`/api/integrations/video/sessions/${held.id}/recording`).set(auth(kit.cast.adminToken)).expect(200);
      expect(response.body.data.recording[0]).toEqual({
        id: expect.any(String),
        fileType: 'mp4',
        fileSize: 52_428_800,
        playUrl: expect.stringContaining('https://zoom.us/rec/play/'),
        downloadUrl: expect.any(String),
        recordingStart: expect.any(String),
        recordingEnd: expect.any(String),
      });
      expect(await count(kit.t, `phi_access_logs WHERE resource_type = 'meeting_recording'`)).toBe(1);
    });

    it.each([
      ['the client', () => kit.cast.client.token, 403],
      ['another therapist', () => kit.cast.otherTherapist.token, 404],
      ['another client', () => kit.cast.otherClient.token, 403],
    ])('refuses %s and records nothing', async (_who, token, status) => {
      const before = await count(kit.t, 'phi_access_logs');
      await http().get(`/api/integrations/video/sessions/${held.id}/participants`).set(auth(token())).expect(status);
      await http().get(`/api/integrations/video/sessions/${held.id}/recording`).set(auth(token())).expect(status);
      expect(await count(kit.t, 'phi_access_logs')).toBe(before);
    });

    it('tolerates a HIPAA account: no names, no emails, no cloud recording', async () => {
      await zoom().updateSettings({ hipaa: true });
      const hipaa = await sessionIn(kit.t, kit.cast.therapist.token, kit.cast.client.id, 31);
      const id = (await http().post(`/api/integrations/video/sessions/${hipaa.id}/zoom`).set(auth(kit.cast.therapist.token)).expect(201)).body.data.meetingId;
      await zoom().request('POST', `meetings/${id}/simulate`, { participants: [{ name: 'Hidden', email: 'hidden@example.test' }], recording: true });
      const response = await http().get(`/api/integrations/video/sessions/${hipaa.id}/participants`).set(auth(kit.cast.therapist.token)).expect(200);
      expect(response.body.data.participants).toEqual([expect.objectContaining({ name: null, email: null, duration: 45 })]);
      const recording = await http().get(`/api/integrations/video/sessions/${hipaa.id}/recording`).set(auth(kit.cast.therapist.token)).expect(200);
      expect(recording.body.data).toEqual({ recording: [] });
      await zoom().updateSettings({ hipaa: false });
    });
  });

  describe('POST /webhooks/zoom', () => {
    const sign = (body: string, timestamp = String(Math.floor(Date.now() / 1000))) => ({
      'content-type': 'application/json',
      'x-zm-request-timestamp': timestamp,
      'x-zm-signature': `v0=${createHmac('sha256', ZOOM_WEBHOOK_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`,
    });

    beforeAll(async () => {
      await zoom().request('PUT', 'webhook', { url: `${kit.appUrl}/api/integrations/video/webhooks/zoom`, secretToken: ZOOM_WEBHOOK_SECRET });
    });

    it('answers the url_validation handshake the way Zoom checks it', async () => {
      await expect(zoom().request('POST', 'webhook/validate')).resolves.toMatchObject({ ok: true, status: 200 });
    });

    it('refuses a bad signature with 401 and stores nothing', async () => {
      const before = await count(kit.t, 'video_webhook_events');
      const body = JSON.stringify({ event: 'meeting.participant_joined', event_ts: Date.now(), payload: { object: { id: '1', participant: { id: 'x' } } } });
      const headers = { ...sign(body), 'x-zm-signature': `v0=${'0'.repeat(64)}` };
      const response = await http().post('/api/integrations/video/webhooks/zoom').set(headers).send(body).expect(401);
      expect(response.body).toMatchObject({ success: false, code: 'WEBHOOK_ERROR' });
      const stale = await http().post('/api/integrations/video/webhooks/zoom').set(sign(body, String(Math.floor(Date.now() / 1000) - 3600))).send(body);
      expect(stale.status).toBe(401);
      expect(await count(kit.t, 'video_webhook_events')).toBe(before);
    });

    it('stores an event once however often it is delivered', async () => {
      const body = JSON.stringify({ event: 'meeting.participant_joined', event_ts: Date.now(), payload: { object: { id: '999', participant: { id: 'dup', user_name: 'Dup', join_time: '2030-01-01T10:00:00Z' } } } });
      const first = await http().post('/api/integrations/video/webhooks/zoom').set(sign(body)).send(body).expect(200);
      const second = await http().post('/api/integrations/video/webhooks/zoom').set(sign(body)).send(body).expect(200);
      expect(first.body.data).toEqual({ received: true, duplicate: false });
      expect(second.body.data).toEqual({ received: true, duplicate: true });
      expect(await count(kit.t, `video_webhook_events WHERE meeting_external_id = '999'`)).toBe(1);
    });

    it('reflects joined/left events in participants before Zoom’s report exists', async () => {
      const live = await sessionIn(kit.t, kit.cast.therapist.token, kit.cast.client.id, 32);
      const id = (await http().post(`/api/integrations/video/sessions/${live.id}/zoom`).set(auth(kit.cast.therapist.token)).expect(201)).body.data.meetingId;
      const result = (await zoom().request('POST', `meetings/${id}/simulate`, { participants: [{ name: 'Ann', email: 'ann@example.test', durationSeconds: 1200 }], recording: true })) as {
        deliveries: Array<{ status: number }>;
      };
      expect(result.deliveries.every((delivery) => delivery.status === 200)).toBe(true);
      expect(await count(kit.t, `video_webhook_events WHERE meeting_external_id = '${id}'`)).toBe(5);
      // Zoom's own report is not there yet: only the webhooks know who joined
      await zoom().addFault({ method: 'GET', path: '/participants$', count: 1, status: 404, body: { code: 3001, message: 'Meeting does not exist.' } });
      const response = await http().get(`/api/integrations/video/sessions/${live.id}/participants`).set(auth(kit.cast.therapist.token)).expect(200);
      expect(response.body.data.participants).toEqual([expect.objectContaining({ name: 'Ann', email: 'ann@example.test', duration: 20 })]);
    });
  });

  describe('DELETE /sessions/:sessionId/meeting/:provider', () => {
    it('deletes at Zoom and here; a room already gone at Zoom counts as deleted', async () => {
      const gone = await sessionIn(kit.t, kit.cast.therapist.token, kit.cast.client.id, 160);
      await http().post(`/api/integrations/video/sessions/${gone.id}/zoom`).set(auth(kit.cast.therapist.token)).expect(201);
      await zoom().addFault({ method: 'DELETE', count: 1, status: 404, body: { code: 3001, message: 'Meeting does not exist.' } });
      await http().delete(`/api/integrations/video/sessions/${gone.id}/meeting/zoom`).set(auth(kit.cast.therapist.token)).expect(200);
      await http().get(`/api/integrations/video/sessions/${gone.id}/meeting`).set(auth(kit.cast.therapist.token)).expect(404);
      const since = await lastSeq(kit.sandbox, 'zoom');
      await http().delete(`/api/integrations/video/sessions/${session.id}/meeting/zoom`).set(auth(kit.cast.adminToken)).expect(200);
      expect((await journal(kit.sandbox, 'zoom', since)).map((call) => `${call.method} ${call.path} ${call.status}`)).toEqual([`DELETE /v2/meetings/${meetingId} 204`]);
    });
  });

  describe('a therapist’s own Zoom account', () => {
    it('connects by OAuth and then hosts rooms with it instead of the practice account', async () => {
      const token = kit.cast.otherTherapist.token;
      const started = await http().get('/api/integrations/video/zoom/authorize-url').set(auth(token)).expect(200);
      const redirect = await fetch(started.body.data.url, { redirect: 'manual' });
      const location = new URL(redirect.headers.get('location')!);
      const connected = await http()
        .post('/api/integrations/video/zoom/connect')
        .set(auth(token))
        .send({ authCode: location.searchParams.get('code'), state: location.searchParams.get('state') })
        .expect(200);
      expect(connected.body).toMatchObject({ success: true, message: 'Zoom connected successfully', data: { provider: 'zoom' } });
      const own = await sessionIn(kit.t, token, kit.cast.otherClient.id, 80);
      const since = await lastSeq(kit.sandbox, 'zoom');
      await http().post(`/api/integrations/video/sessions/${own.id}/zoom`).set(auth(token)).expect(201);
      const calls = (await journal(kit.sandbox, 'zoom', since)).map((call) => `${call.method} ${call.path}`);
      expect(calls).toEqual(['POST /v2/users/me/meetings']);
      const [row] = (await db().query('SELECT auth_mode FROM video_meetings WHERE session_id = $1', [own.id])) as Array<{ auth_mode: string }>;
      expect(row.auth_mode).toBe('user');
    });
  });
});
