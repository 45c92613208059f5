import { calendar } from '@googleapis/calendar';
import { OAuth2Client } from 'google-auth-library';
import { SandboxControl } from '../../sandbox/client.js';
import { OAuthServer } from '../../sandbox/core/oauth.js';
import type { EmulatorHarness } from '../../sandbox/core/server.js';
import { authorize, CALENDAR_SCOPES, connect, oauthClient, REDIRECT_URI, startGoogle } from './google-support.js';

const REVOKED = { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' };

function responseOf(error: unknown) {
  return (error as { response?: { status: number; data: unknown } }).response;
}

describe(`${OAuthServer.name} (Google flavor)`, () => {
  let google: EmulatorHarness;
  let control: SandboxControl;

  beforeAll(async () => {
    google = await startGoogle();
    control = new SandboxControl(google.url);
  });
  afterAll(() => google.stop());
  beforeEach(() => control.reset());

  it('redirects at once with a one-time code and the caller state, for the hinted user', async () => {
    const client = oauthClient(google.url);
    const result = await authorize(client, { loginHint: 'dr.jane.doe@example.org', state: 'opaque-state' });
    expect(result.status).toBe(302);
    expect(`${result.location.origin}${result.location.pathname}`).toBe(REDIRECT_URI);
    expect(result.state).toBe('opaque-state');
    expect(result.code).toMatch(/^4\/0/);

    const { tokens } = await client.getToken({ code: result.code, codeVerifier: result.codeVerifier });
    expect(tokens).toMatchObject({ token_type: 'Bearer', scope: CALENDAR_SCOPES.join(' ') });
    expect(tokens.access_token).toMatch(/^ya29\./);
    expect(tokens.refresh_token).toMatch(/^1\/\//);
    expect(tokens.expiry_date).toBeGreaterThan(Date.now() + 3000_000);

    // the id_token verifies with the library's own verifier against the emulator's certs
    const ticket = await client.verifyIdToken({ idToken: tokens.id_token!, audience: client._clientId });
    expect(ticket.getPayload()).toMatchObject({ email: 'dr.jane.doe@example.org', email_verified: true });

    client.setCredentials(tokens);
    const userinfo = await client.request<{ email: string; name: string }>({ url: `${google.url}/oauth2/v3/userinfo` });
    expect(userinfo.data).toMatchObject({ email: 'dr.jane.doe@example.org', name: 'Dr Jane Doe' });
    await expect(client.getTokenInfo(tokens.access_token!)).resolves.toMatchObject({ email: 'dr.jane.doe@example.org', aud: client._clientId });

    const { entries } = await control.journal();
    const tokenRequest = entries.find((entry) => entry.path === '/token');
    expect(tokenRequest?.body).toMatchObject({ grant_type: 'authorization_code', code: result.code, code_verifier: result.codeVerifier });
  });

  it('refuses a used code, a wrong PKCE verifier and a wrong client secret with Google bodies', async () => {
    const client = oauthClient(google.url);
    const first = await authorize(client);
    await client.getToken({ code: first.code, codeVerifier: first.codeVerifier });
    const reused = await client.getToken({ code: first.code, codeVerifier: first.codeVerifier }).catch(responseOf);
    expect(reused).toMatchObject({ status: 400, data: { error: 'invalid_grant', error_description: 'Bad Request' } });

    const second = await authorize(client);
    const wrongVerifier = await client.getToken({ code: second.code, codeVerifier: 'x'.repeat(43) }).catch(responseOf);
    expect(wrongVerifier).toMatchObject({ status: 400, data: { error: 'invalid_grant', error_description: 'Invalid code verifier.' } });
    const missingVerifier = await client.getToken({ code: second.code }).catch(responseOf);
    expect(missingVerifier).toMatchObject({ status: 400, data: { error: 'invalid_grant', error_description: 'Missing code verifier.' } });

    const third = await authorize(client);
    const wrongSecret = await oauthClient(google.url, 'not-the-secret')
      .getToken({ code: third.code, codeVerifier: third.codeVerifier })
      .catch(responseOf);
    expect(wrongSecret).toMatchObject({ status: 401, data: { error: 'invalid_client' } });
  });

  it('expires codes on the sandbox clock', async () => {
    const client = oauthClient(google.url);
    const { code, codeVerifier } = await authorize(client);
    await control.advanceClock(601);
    await expect(client.getToken({ code, codeVerifier }).catch(responseOf)).resolves.toMatchObject({
      status: 400,
      data: { error: 'invalid_grant' },
    });
  });

  it('refreshes without rotating: the refresh response omits refresh_token', async () => {
    const { auth, tokens } = await connect(google.url);
    const refreshed = await auth.refreshAccessToken();
    expect(refreshed.credentials.access_token).not.toBe(tokens.access_token);
    // the library keeps the old refresh token because Google does not send one back
    expect(refreshed.credentials.refresh_token).toBe(tokens.refresh_token);
    const { entries } = await control.journal();
    expect(entries.filter((entry) => entry.path === '/token').map((entry) => (entry.body as { grant_type: string }).grant_type)).toEqual([
      'authorization_code',
      'refresh_token',
    ]);
    // the refresh token still works
    await expect(auth.refreshAccessToken()).resolves.toBeDefined();
  });

  it('answers 401 in the Google API shape for a missing, expired or revoked access token', async () => {
    await control.updateSettings({ accessTokenTtlSeconds: 60 });
    const { auth, api, tokens } = await connect(google.url);
    await expect(api.events.list({ calendarId: 'primary' })).resolves.toMatchObject({ status: 200 });

    const anonymous = await fetch(`${google.url}/calendar/v3/calendars/primary/events`);
    expect(anonymous.status).toBe(401);
    await expect(anonymous.json()).resolves.toMatchObject({
      error: { code: 401, errors: [{ domain: 'global', reason: 'required', location: 'Authorization' }], status: 'UNAUTHENTICATED' },
    });

    await control.advanceClock(61);
    // a client that believes its token is still valid (no expiry known) sees Google's 401
    const stale = new OAuth2Client();
    stale.setCredentials({ access_token: tokens.access_token });
    const staleApi = calendar({ version: 'v3', auth: stale, rootUrl: `${google.url}/` });
    const expired = await staleApi.events.list({ calendarId: 'primary' }).catch(responseOf);
    expect(expired).toMatchObject({
      status: 401,
      data: { error: { code: 401, errors: [{ reason: 'authError', message: 'Invalid Credentials' }] } },
    });

    // the real client refreshes on its own once its expiry_date has passed on the sandbox clock... or when forced
    auth.setCredentials({ ...auth.credentials, expiry_date: Date.now() - 1 });
    await expect(api.events.list({ calendarId: 'primary' })).resolves.toMatchObject({ status: 200 });
  });

  it('revokes the whole grant: API calls 401 and the refresh token gets invalid_grant', async () => {
    const { auth, api, tokens } = await connect(google.url);
    await expect(auth.revokeToken(tokens.refresh_token!)).resolves.toMatchObject({ status: 200, data: {} });
    await expect(api.events.list({ calendarId: 'primary' }).catch(responseOf)).resolves.toMatchObject({ status: 401 });
    await expect(auth.refreshAccessToken().catch(responseOf)).resolves.toMatchObject({ status: 400, data: REVOKED });
    await expect(auth.revokeToken(tokens.access_token!).catch(responseOf)).resolves.toMatchObject({
      status: 400,
      data: { error: 'invalid_token' },
    });
  });

  it('refuses calendar calls without a calendar scope', async () => {
    const client = oauthClient(google.url);
    const url = client.generateAuthUrl({ scope: ['openid', 'email'] });
    const location = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
    const { tokens } = await client.getToken(location.searchParams.get('code')!);
    expect(tokens.refresh_token).toBeUndefined(); // online access: no refresh token
    client.setCredentials(tokens);
    const api = calendar({ version: 'v3', auth: client, rootUrl: `${google.url}/` });
    await expect(api.events.list({ calendarId: 'primary' }).catch(responseOf)).resolves.toMatchObject({
      status: 403,
      data: { error: { errors: [{ reason: 'insufficientPermissions' }] } },
    });
  });
});
