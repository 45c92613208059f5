import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { SessionEvents, type SessionChangedEvent } from '../../src/therapy-sessions/session-events.js';
import { TherapySessionsController } from '../../src/therapy-sessions/therapy-sessions.controller.js';
import { auth, createCast, createSession, startTestApp, type TestApp } from '../support/test-app.js';

type Cast = Awaited<ReturnType<typeof createCast>>;

describe(`${TherapySessionsController.name} (e2e)`, () => {
  let t: TestApp;
  let cast: Cast;
  let session: { id: string; startTime: string; endTime: string };

  beforeAll(async () => {
    t = await startTestApp();
    cast = await createCast(t);
    session = await createSession(t, cast.therapist.token, cast.client.id);
  });
  afterAll(() => t.close());

  describe('GET /api/sessions/:id', () => {
    it.each([
      { who: 'the therapist', token: () => cast.therapist.token, status: 200 },
      { who: 'the client', token: () => cast.client.token, status: 200 },
      { who: 'an admin', token: () => cast.adminToken, status: 200 },
      { who: 'another therapist', token: () => cast.otherTherapist.token, status: 404 },
      { who: 'another client', token: () => cast.otherClient.token, status: 404 },
    ])('answers $who with $status', async ({ token, status }) => {
      const response = await t.http.get(`/api/sessions/${session.id}`).set(auth(token())).expect(status);
      if (status === 200) expect(response.body.data).toMatchObject({ id: session.id, status: 'scheduled', timezone: 'Europe/Berlin' });
      else expect(response.body).toMatchObject({ success: false, code: 'SESSION_NOT_FOUND' });
    });

    it('answers a session that does not exist exactly like someone else’s', async () => {
      const missing = await t.http.get('/api/sessions/00000000-0000-4000-8000-000000000000').set(auth(cast.otherTherapist.token)).expect(404);
      const foreign = await t.http.get(`/api/sessions/${session.id}`).set(auth(cast.otherTherapist.token)).expect(404);
      expect({ ...missing.body, requestId: undefined }).toEqual({ ...foreign.body, requestId: undefined });
    });
  });

  describe('POST /api/sessions', () => {
    const slot = () => {
      const start = new Date(Date.now() + 10 * 86_400_000);
      return { startTime: start.toISOString(), endTime: new Date(start.getTime() + 3_600_000).toISOString(), timezone: 'America/New_York' };
    };

    it('lets a therapist schedule with their own client', async () => {
      const response = await t.http.post('/api/sessions').set(auth(cast.therapist.token)).send({ clientId: cast.client.id, ...slot() }).expect(201);
      expect(response.body.data).toMatchObject({
        therapistId: cast.therapist.id,
        clientId: cast.client.id,
        status: 'scheduled',
        paymentStatus: 'unpaid',
        calendarDrift: [],
      });
    });

    it("answers 404 for another therapist's client and stores nothing", async () => {
      const before = await countSessions();
      const response = await t.http.post('/api/sessions').set(auth(cast.therapist.token)).send({ clientId: cast.otherClient.id, ...slot() }).expect(404);
      expect(response.body.code).toBe('USER_NOT_FOUND');
      expect(await countSessions()).toBe(before);
    });

    it('refuses clients (role) with 403', async () => {
      const response = await t.http.post('/api/sessions').set(auth(cast.client.token)).send({ clientId: cast.client.id, ...slot() }).expect(403);
      expect(response.body.code).toBe('FORBIDDEN');
    });

    it('lets an admin schedule for any therapist, and requires the therapist', async () => {
      await t.http.post('/api/sessions').set(auth(cast.adminToken)).send({ clientId: cast.otherClient.id, therapistId: cast.otherTherapist.id, ...slot() }).expect(201);
      const missing = await t.http.post('/api/sessions').set(auth(cast.adminToken)).send({ clientId: cast.otherClient.id, ...slot() }).expect(400);
      expect(missing.body.code).toBe('VALIDATION_ERROR');
    });
  });

  describe('GET /api/sessions', () => {
    it('lists only what the caller may see', async () => {
      const mine = await t.http.get('/api/sessions').set(auth(cast.client.token)).expect(200);
      expect(mine.body.data.items.every((item: { clientId: string }) => item.clientId === cast.client.id)).toBe(true);
      const theirs = await t.http.get('/api/sessions').set(auth(cast.otherTherapist.token)).expect(200);
      expect(theirs.body.data.items.map((item: { id: string }) => item.id)).not.toContain(session.id);
      const all = await t.http.get('/api/sessions').set(auth(cast.adminToken)).expect(200);
      expect(all.body.data.items.map((item: { id: string }) => item.id)).toContain(session.id);
    });

    it('pages with a cursor without repeating or skipping', async () => {
      for (let day = 20; day < 25; day += 1) await createSession(t, cast.therapist.token, cast.client.id, { daysAhead: day });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const response: { body: { data: { items: { id: string }[]; nextCursor: string | null } } } = await t.http
          .get('/api/sessions')
          .query({ limit: 2, ...(cursor ? { cursor } : {}) })
          .set(auth(cast.therapist.token))
          .expect(200);
        seen.push(...response.body.data.items.map((item) => item.id));
        cursor = response.body.data.nextCursor;
      } while (cursor);
      expect(new Set(seen).size).toBe(seen.length);
      const total = await t.app.get(DataSource).query('SELECT count(*)::int AS n FROM therapy_sessions WHERE therapist_id = $1', [cast.therapist.id]);
      expect(seen.length).toBe(total[0].n);
    });
  });

  describe('PATCH and DELETE /api/sessions/:id', () => {
    it('reschedules for the therapist and emits a domain event inside the transaction', async () => {
      const own = await createSession(t, cast.therapist.token, cast.client.id, { daysAhead: 5 });
      const events: { event: SessionChangedEvent; inTransaction: boolean }[] = [];
      const emitter = t.app.get(EventEmitter2);
      const listener = (event: SessionChangedEvent) =>
        void events.push({ event, inTransaction: event.manager.queryRunner?.isTransactionActive === true });
      emitter.on(SessionEvents.Rescheduled, listener);
      const start = new Date(new Date(own.startTime).getTime() + 3_600_000);
      const response = await t.http
        .patch(`/api/sessions/${own.id}`)
        .set(auth(cast.therapist.token))
        .send({ startTime: start.toISOString(), endTime: new Date(start.getTime() + 50 * 60_000).toISOString() })
        .expect(200);
      emitter.off(SessionEvents.Rescheduled, listener);
      expect(response.body.data.startTime).toBe(start.toISOString());
      expect(events).toHaveLength(1);
      expect(events[0].event.previous?.startTime.toISOString()).toBe(own.startTime);
      expect(events[0].inTransaction).toBe(true);
    });

    it('rolls the change back when a subscriber fails', async () => {
      const own = await createSession(t, cast.therapist.token, cast.client.id, { daysAhead: 6 });
      const emitter = t.app.get(EventEmitter2);
      const failing = async () => {
        throw new Error('subscriber failed');
      };
      emitter.on(SessionEvents.Cancelled, failing);
      await t.http.delete(`/api/sessions/${own.id}`).set(auth(cast.therapist.token)).expect(500);
      emitter.off(SessionEvents.Cancelled, failing);
      const after = await t.http.get(`/api/sessions/${own.id}`).set(auth(cast.therapist.token)).expect(200);
      expect(after.body.data.status).toBe('scheduled');
    });

    it.each([
      { who: 'another therapist', token: () => cast.otherTherapist.token, status: 404 },
      { who: 'another client', token: () => cast.otherClient.token, status: 403 },
      { who: 'the client', token: () => cast.client.token, status: 403 },
    ])('refuses $who ($status) and changes nothing', async ({ token, status }) => {
      await t.http.patch(`/api/sessions/${session.id}`).set(auth(token())).send({ timezone: 'UTC' }).expect(status);
      await t.http.delete(`/api/sessions/${session.id}`).set(auth(token())).expect(status);
      const after = await t.http.get(`/api/sessions/${session.id}`).set(auth(cast.therapist.token)).expect(200);
      expect(after.body.data).toMatchObject({ status: 'scheduled', timezone: 'Europe/Berlin' });
    });

    it('cancels by keeping the row; cancelling again changes nothing; a cancelled session cannot be rescheduled', async () => {
      const own = await createSession(t, cast.therapist.token, cast.client.id, { daysAhead: 7 });
      const first = await t.http.delete(`/api/sessions/${own.id}`).set(auth(cast.adminToken)).expect(200);
      expect(first.body.data.status).toBe('cancelled');
      const second = await t.http.delete(`/api/sessions/${own.id}`).set(auth(cast.therapist.token)).expect(200);
      expect(second.body.data.cancelledAt).toBe(first.body.data.cancelledAt);
      const moved = await t.http.patch(`/api/sessions/${own.id}`).set(auth(cast.therapist.token)).send({ timezone: 'UTC' }).expect(409);
      expect(moved.body.code).toBe('INVALID_SESSION_STATE');
    });
  });

  it('shows calendar drift in the session: the therapist all of it, a client only their own calendar’s', async () => {
    const own = await createSession(t, cast.therapist.token, cast.client.id, { daysAhead: 8 });
    const drift = {
      [`google:${cast.therapist.id}`]: { provider: 'google', userId: cast.therapist.id, change: 'deleted', detectedAt: new Date().toISOString() },
      [`outlook:${cast.client.id}`]: { provider: 'outlook', userId: cast.client.id, change: 'moved', detectedAt: new Date().toISOString() },
    };
    await t.app.get(DataSource).query('UPDATE therapy_sessions SET calendar_drift = $2 WHERE id = $1', [own.id, JSON.stringify(drift)]);
    const asTherapist = await t.http.get(`/api/sessions/${own.id}`).set(auth(cast.therapist.token)).expect(200);
    expect(asTherapist.body.data.calendarDrift).toHaveLength(2);
    const asClient = await t.http.get(`/api/sessions/${own.id}`).set(auth(cast.client.token)).expect(200);
    expect(asClient.body.data.calendarDrift).toEqual([expect.objectContaining({ userId: cast.client.id, change: 'moved' })]);
    // A reschedule does not wipe what the calendar module recorded.
    await t.http.patch(`/api/sessions/${own.id}`).set(auth(cast.therapist.token)).send({ timezone: 'UTC' }).expect(200);
    const after = await t.http.get(`/api/sessions/${own.id}`).set(auth(cast.therapist.token)).expect(200);
    expect(after.body.data.calendarDrift).toHaveLength(2);
  });

  async function countSessions(): Promise<number> {
    const rows = await t.app.get(DataSource).query('SELECT count(*)::int AS n FROM therapy_sessions');
    return rows[0].n;
  }
});
