import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import type { ProviderName } from '../../sandbox/core/contract.js';
import { consent } from '../connections/consent.js';
import { eventually } from '../support/eventually.js';
import { startRadicale, type Radicale } from '../support/radicale.js';
import { auth, createCast, startTestApp, type TestApp } from '../support/test-app.js';

export { auth, eventually };

export const CALDAV_PASSWORD = 'app-specific-pass';

/** Connects a user's Google or Outlook calendar over the API, as the web client would. */
export async function connectOAuth(t: TestApp, token: string, provider: 'google' | 'outlook', loginHint: string) {
  const started = await t.http.get(`/api/integrations/calendar/${provider}/authorize-url`).set(auth(token)).expect(200);
  const { code, state } = await consent(started.body.data.url, loginHint);
  return t.http.post(`/api/integrations/calendar/${provider}/connect`).set(auth(token)).send({ authCode: code, state });
}

export interface CalendarKit {
  sandbox: Sandbox;
  radicale: Radicale;
  t: TestApp;
  cast: Awaited<ReturnType<typeof createCast>>;
  stop(): Promise<void>;
}

/**
 * The app with in-process workers, the emulators it needs and a real Radicale; the therapist connected to Google,
 * Outlook and Apple, the client to Google.
 */
export async function startCalendarKit(providers: ProviderName[]): Promise<CalendarKit> {
  const [sandbox, radicale] = await Promise.all([
    startSandbox({ providers, smtp: false, page: false }),
    startRadicale({ therapist: CALDAV_PASSWORD }),
  ]);
  const t = await startTestApp({ ...sandbox.env(), WORKER_INLINE: 'true' });
  const cast = await createCast(t);
  for (const [token, provider, email] of [
    [cast.therapist.token, 'google', cast.therapist.email],
    [cast.therapist.token, 'outlook', cast.therapist.email],
    [cast.client.token, 'google', cast.client.email],
  ] as const) {
    const connected = await connectOAuth(t, token, provider, email);
    if (connected.status !== 200) throw new Error(`connecting ${provider} failed: ${JSON.stringify(connected.body)}`);
  }
  await t.http
    .post('/api/integrations/calendar/apple/connect')
    .set(auth(cast.therapist.token))
    .send({ username: 'therapist', appPassword: CALDAV_PASSWORD, serverUrl: radicale.url })
    .expect(200);
  return {
    sandbox,
    radicale,
    t,
    cast,
    async stop() {
      await t.close();
      await sandbox.stop();
      await radicale.stop();
    },
  };
}
