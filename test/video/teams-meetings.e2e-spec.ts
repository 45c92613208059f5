import { DataSource } from 'typeorm';
import { TeamsProvider } from '../../src/video/providers/teams/teams.provider.js';
import { auth, journal, lastSeq, sessionIn, startVideoKit, waitFor, type VideoKit } from './video-kit.js';

/** Connects `token`'s user to the Microsoft emulator as `email` through the app's Teams OAuth endpoints. */
async function connectTeams(kit: VideoKit, token: string, email: string): Promise<void> {
  const started = await kit.t.http.get('/api/integrations/video/teams/authorize-url').set(auth(token)).expect(200);
  const consent = new URL(started.body.data.url);
  expect(consent.origin).toBe(kit.sandbox.urls.microsoft);
  expect(consent.searchParams.get('scope')).toContain('OnlineMeetings.ReadWrite');
  consent.searchParams.set('login_hint', email);
  const redirect = await fetch(consent, { redirect: 'manual' });
  const location = new URL(redirect.headers.get('location')!);
  await kit.t.http
    .post('/api/integrations/video/teams/connect')
    .set(auth(token))
    .send({ authCode: location.searchParams.get('code'), state: location.searchParams.get('state') })
    .expect(200);
}

describe(`${TeamsProvider.name} (e2e)`, () => {
  let kit: VideoKit;
  const http = () => kit.t.http;
  const microsoft = () => kit.sandbox.control('microsoft');

  beforeAll(async () => {
    kit = await startVideoKit();
    await connectTeams(kit, kit.cast.therapist.token, 'therapist@sandbox.onmicrosoft.com');
  });
  afterAll(() => kit.close());

  it('lists the Teams connection without tokens', async () => {
    const response = await http().get('/api/integrations/video/integrations').set(auth(kit.cast.therapist.token)).expect(200);
    expect(response.body.data.integrations).toEqual([expect.objectContaining({ provider: 'teams', status: 'active', accountEmail: 'therapist@sandbox.onmicrosoft.com' })]);
    expect(JSON.stringify(response.body)).not.toMatch(/token/i);
  });

  describe('a session’s Teams meeting', () => {
    let session: { id: string; startTime: string; endTime: string };
    let created: { meetingId: string; joinUrl: string; startUrl: string; password: string | null; provider: string };

    beforeAll(async () => {
      session = await sessionIn(kit.t, kit.cast.therapist.token, kit.cast.client.id, 50);
    });

    it('is created as a calendar event with a Teams meeting (after a 429 and a 500)', async () => {
      await microsoft().addFault({ method: 'POST', path: '/me/events$', count: 1, status: 429, headers: { 'retry-after': '1' } });
      await microsoft().addFault({ method: 'POST', path: '/me/events$', count: 1, status: 500 });
      const since = await lastSeq(kit.sandbox, 'microsoft');
      const response = await http().post(`/api/integrations/video/sessions/${session.id}/teams`).set(auth(kit.cast.therapist.token)).expect(201);
      created = response.body.data;
      expect(created).toEqual({
        meetingId: expect.any(String),
        joinUrl: expect.stringContaining('https://teams.microsoft.com/l/meetup-join/'),
        password: expect.any(String),
        startUrl: created.joinUrl,
        provider: 'teams',
      });
      const posts = (await journal(kit.sandbox, 'microsoft', since)).filter((call) => call.method === 'POST' && call.path === '/v1.0/me/events');
      expect(posts.map((call) => call.status)).toEqual([429, 500, 201]);
      expect(posts[2].body).toMatchObject({
        isOnlineMeeting: true,
        onlineMeetingProvider: 'teamsForBusiness',
        start: { dateTime: session.startTime.replace(/Z$/, ''), timeZone: 'UTC' },
        subject: 'Therapy session',
      });
      expect(posts[2].headers.authorization).toMatch(/^Bearer /);
    });

    it('is returned, not duplicated, on a second create', async () => {
      const since = await lastSeq(kit.sandbox, 'microsoft');
      const again = await http().post(`/api/integrations/video/sessions/${session.id}/teams`).set(auth(kit.cast.adminToken)).expect(200);
      expect(again.body.data.meetingId).toBe(created.meetingId);
      expect(await journal(kit.sandbox, 'microsoft', since)).toEqual([]);
    });

    it('moves with the session', async () => {
      const moved = new Date(Date.parse(session.startTime) + 3_600_000);
      const since = await lastSeq(kit.sandbox, 'microsoft');
      await http().patch(`/api/sessions/${session.id}`).set(auth(kit.cast.therapist.token))
        .send({ startTime: moved.toISOString(), endTime: new Date(moved.getTime() + 50 * 60_000).toISOString() }).expect(200);
      const patch = await waitFor(async () => (await journal(kit.sandbox, 'microsoft', since)).find((call) => call.method === 'PATCH'));
      expect(patch.body).toEqual({ start: { dateTime: moved.toISOString().replace(/Z$/, ''), timeZone: 'UTC' }, end: expect.any(Object) });
    });

    it('gives attendance and recordings from Graph in the seed’s shapes', async () => {
      await microsoft().request('POST', 'meetings/simulate', {
        meetingId: created.meetingId,
        attendees: [
          { email: 'therapist@sandbox.onmicrosoft.com', displayName: 'The Therapist', durationSeconds: 3000 },
          { email: 'client@example.test', displayName: 'The Client', joinOffsetSeconds: 60, durationSeconds: 2880 },
        ],
        recording: true,
      });
      const participants = await http().get(`/api/integrations/video/sessions/${session.id}/participants`).set(auth(kit.cast.therapist.token)).expect(200);
      expect(participants.body.data.participants).toEqual([
        expect.objectContaining({ name: 'The Therapist', email: 'therapist@sandbox.onmicrosoft.com', duration: 50 }),
        expect.objectContaining({ name: 'The Client', email: 'client@example.test', duration: 48, joinTime: expect.any(String), leaveTime: expect.any(String) }),
      ]);
      const recording = await http().get(`/api/integrations/video/sessions/${session.id}/recording`).set(auth(kit.cast.adminToken)).expect(200);
      expect(recording.body.data.recording).toEqual([
        expect.objectContaining({ id: expect.any(String), fileType: 'mp4', downloadUrl: expect.stringContaining('/recordings/') }),
      ]);
      const trail = (await kit.t.app.get(DataSource).query('SELECT resource_type FROM phi_access_logs WHERE session_id = $1 ORDER BY created_at', [session.id])) as unknown[];
      expect(trail).toEqual([{ resource_type: 'meeting_participants' }, { resource_type: 'meeting_recording' }]);
    });

    it('is deleted with the session', async () => {
      const since = await lastSeq(kit.sandbox, 'microsoft');
      await http().delete(`/api/sessions/${session.id}`).set(auth(kit.cast.therapist.token)).expect(200);
      const removed = await waitFor(async () => (await journal(kit.sandbox, 'microsoft', since)).find((call) => call.method === 'DELETE'));
      expect(removed.path).toMatch(/^\/v1\.0\/me\/events\//);
    });
  });

  it('answers TEAMS_MEETING_ERROR with a clear reason for a personal Microsoft account, and leaves no event behind', async () => {
    await connectTeams(kit, kit.cast.otherTherapist.token, 'someone@outlook.com');
    const session = await sessionIn(kit.t, kit.cast.otherTherapist.token, kit.cast.otherClient.id, 40);
    const since = await lastSeq(kit.sandbox, 'microsoft');
    const response = await http().post(`/api/integrations/video/sessions/${session.id}/teams`).set(auth(kit.cast.otherTherapist.token)).expect(422);
    expect(response.body).toMatchObject({ success: false, code: 'TEAMS_MEETING_ERROR', details: { reason: 'PERSONAL_ACCOUNT' } });
    expect(response.body.message).toContain('work or school account');
    expect((await journal(kit.sandbox, 'microsoft', since)).map((call) => call.method)).toEqual(['POST', 'DELETE']);
    await http().get(`/api/integrations/video/sessions/${session.id}/meeting`).set(auth(kit.cast.otherTherapist.token)).expect(404);
  });

  it('asks a therapist without a Microsoft connection to connect one', async () => {
    const newcomer = await http().post('/api/users').set(auth(kit.cast.adminToken)).send({ email: `t${Date.now()}@example.test`, name: 'T', role: 'therapist', timeZone: 'UTC', password: 'Password-long-enough-1' }).expect(201);
    const start = Date.now() + 86_400_000;
    const session = await http().post('/api/sessions').set(auth(kit.cast.adminToken)).send({
      clientId: kit.cast.client.id,
      therapistId: newcomer.body.data.id,
      startTime: new Date(start).toISOString(),
      endTime: new Date(start + 3_600_000).toISOString(),
      timezone: 'UTC',
    }).expect(201);
    const since = await lastSeq(kit.sandbox, 'microsoft');
    const response = await http().post(`/api/integrations/video/sessions/${session.body.data.id}/teams`).set(auth(kit.cast.adminToken)).expect(409);
    expect(response.body).toMatchObject({ code: 'TEAMS_MEETING_ERROR', details: { reason: 'NOT_CONNECTED' } });
    expect(await journal(kit.sandbox, 'microsoft', since)).toEqual([]);
  });
});
