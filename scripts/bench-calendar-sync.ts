/**
 * npm run bench:calendar-sync — 1,000 therapy sessions synced to the Google emulator with its quota at 10 requests/s.
 *
 * The app runs in-process on a throwaway database of a real PostgreSQL (DATABASE_URL's server, else 127.0.0.1:5432)
 * with CALENDAR_GOOGLE_RATE_LIMIT matching the quota. One therapist connects Google over the API; the sessions are
 * created, then all are synced through `POST /api/integrations/calendar/sessions/:id/sync`, many at once.
 * Passes (exit 0) when the run takes at most 1.15 x the quota's lower bound (N / 10 s), the emulator holds exactly N
 * events, and every request the quota refused was retried (all syncs answered 200). BENCH_SESSIONS=n for a quick run.
 */
import type { AddressInfo } from 'node:net';
import { createTestDatabase } from '../test/support/test-database.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 1000);
const QUOTA_PER_SECOND = 10;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);

/** The server the benchmark makes its throwaway database on (the tests' server, else the local PostgreSQL). */
function serverUrl(): string {
  return process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

async function pool<T>(items: T[], concurrency: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) await run(items[next++]!);
    }),
  );
}

async function main(): Promise<number> {
  const { createApp } = await import('../src/app.setup.js');
  const { loadConfig, SANDBOX_ADMIN } = await import('../src/config/app-config.js');
  const { startSandbox } = await import('../sandbox/index.js');

  const sandbox = await startSandbox({ providers: ['google'], smtp: false, page: false });
  const database = await createTestDatabase('bench_calendar', serverUrl());
  const config = loadConfig({
    ...sandbox.env(),
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    WORKER_INLINE: 'false',
    LOGIN_IP_RATE_LIMIT: '10000',
    DATABASE_POOL_SIZE: '20',
    CALENDAR_GOOGLE_RATE_LIMIT: String(QUOTA_PER_SECOND),
    CALENDAR_GOOGLE_RATE_WINDOW_SECONDS: '1',
  });
  console.error('starting the app');
  const app = await createApp({ config, databaseUrl: database.url });
  await app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/api`;
  const call = async (method: string, path: string, token: string | null, body?: unknown) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { data: any } };
  };

  try {
    const login = async (email: string, password: string) => (await call('POST', '/auth/login', null, { email, password })).body.data.accessToken as string;
    const admin = await login(SANDBOX_ADMIN.email, SANDBOX_ADMIN.password);
    const password = 'Bench-password-long-enough';
    const therapist = (await call('POST', '/users', admin, { email: 'bench.therapist@example.test', name: 'Bench Therapist', role: 'therapist', timeZone: 'Europe/Berlin', password })).body.data;
    const client = (await call('POST', '/users', admin, { email: 'bench.client@example.test', name: 'Bench Client', role: 'client', timeZone: 'Europe/Berlin', password, therapistId: therapist.id })).body.data;
    const token = await login('bench.therapist@example.test', password);

    const started = (await call('GET', '/integrations/calendar/google/authorize-url', token)).body.data;
    const consentUrl = new URL(started.url);
    consentUrl.searchParams.set('login_hint', 'bench.therapist@example.test');
    const redirect = new URL((await fetch(consentUrl, { redirect: 'manual' })).headers.get('location')!);
    const connected = await call('POST', '/integrations/calendar/google/connect', token, { authCode: redirect.searchParams.get('code'), state: started.state });
    if (connected.status !== 200) throw new Error(`connect failed: ${JSON.stringify(connected.body)}`);

    console.error('connected Google; creating sessions');
    const sessionIds: string[] = [];
    const first = Date.UTC(2027, 0, 4, 8);
    await pool(Array.from({ length: SESSIONS }, (_, i) => i), 16, async (i) => {
      const start = new Date(first + i * 3_600_000);
      const created = await call('POST', '/sessions', token, { clientId: client.id, startTime: start.toISOString(), endTime: new Date(start.getTime() + 50 * 60_000).toISOString(), timezone: 'Europe/Berlin' });
      if (created.status !== 201) throw new Error(`session ${i}: ${created.status}`);
      sessionIds.push(created.body.data.id);
    });

    const control = sandbox.control('google');
    await control.reset(); // forget connect-time traffic; tokens and users live in the OAuth server, which reset also clears
    // reset dropped the grant: connect again so the measured run starts from a clean journal and quota window
    const again = (await call('GET', '/integrations/calendar/google/authorize-url', token)).body.data;
    const againUrl = new URL(again.url);
    againUrl.searchParams.set('login_hint', 'bench.therapist@example.test');
    const againCode = new URL((await fetch(againUrl, { redirect: 'manual' })).headers.get('location')!).searchParams.get('code');
    await call('POST', '/integrations/calendar/google/connect', token, { authCode: againCode, state: again.state });
    const journalStart = (await control.journal()).entries.at(-1)?.seq ?? 0;
    await control.setQuota({ limit: QUOTA_PER_SECOND, windowMs: 1000 });

    console.error(`syncing ${SESSIONS} sessions`);
    const failures: string[] = [];
    const t0 = performance.now();
    await pool(sessionIds, CONCURRENCY, async (id) => {
      const synced = await call('POST', `/integrations/calendar/sessions/${id}/sync`, token, { provider: 'google' });
      if (synced.status !== 200) failures.push(`${id}: ${synced.status} ${JSON.stringify(synced.body)}`);
    });
    const elapsedS = (performance.now() - t0) / 1000;

    const entries = (await control.journal(journalStart)).entries;
    const calendarCalls = entries.filter((entry) => entry.path.startsWith('/calendar/v3/'));
    const refused = entries.filter((entry) => entry.status === 429);
    const stats = await control.stats();
    const events = (await control.request<{ events: Array<{ event: { status?: string } }> }>('GET', `events?calendarId=${encodeURIComponent('bench.therapist@example.test')}`)).events.filter(
      (entry) => entry.event.status !== 'cancelled',
    );
    const lowerBoundS = SESSIONS / QUOTA_PER_SECOND;
    const ratio = elapsedS / lowerBoundS;
    const ok = ratio <= 1.15 && events.length === SESSIONS && failures.length === 0;
    console.log(
      JSON.stringify(
        {
          sessions: SESSIONS,
          quota: `${QUOTA_PER_SECOND} requests/s`,
          elapsedSeconds: Number(elapsedS.toFixed(2)),
          lowerBoundSeconds: lowerBoundS,
          ratioToLowerBound: Number(ratio.toFixed(3)),
          eventsAtEmulator: events.length,
          providerRequests: calendarCalls.length,
          quotaRefusals: refused.length,
          quotaRefusalsNotRetried: failures.length,
          emulatorStats: stats,
          pass: ok,
        },
        null,
        2,
      ),
    );
    if (failures.length > 0) console.error(failures.slice(0, 5).join('\n'));
    return ok ? 0 : 1;
  } finally {
    await app.close();
    await sandbox.stop();
    await database.drop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
