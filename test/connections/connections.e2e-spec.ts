import { DataSource } from 'typeorm';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { createApp } from '../../src/app.setup.js';
import type { AuthUser } from '../../src/auth/auth-user.js';
import { Role } from '../../src/auth/users/user.entity.js';
import { ConnectionReauthRequiredError } from '../../src/connections/connections-errors.js';
import { ConnectionsService } from '../../src/connections/connections.service.js';
import { SecretBox } from '../../src/connections/secret-box.js';
import { createCast, startTestApp, type TestApp } from '../support/test-app.js';
import { consent } from './consent.js';

describe(ConnectionsService.name, () => {
  let sandbox: Sandbox;
  let t: TestApp;
  let service: ConnectionsService;
  let alice: AuthUser;
  let bob: AuthUser;

  beforeAll(async () => {
    sandbox = await startSandbox({ providers: ['google', 'microsoft'], smtp: false, page: false });
    t = await startTestApp(sandbox.env());
    service = t.app.get(ConnectionsService);
    const cast = await createCast(t);
    alice = { id: cast.therapist.id, email: cast.therapist.email, role: Role.Therapist };
    bob = { id: cast.otherTherapist.id, email: cast.otherTherapist.email, role: Role.Therapist };
  });
  afterAll(async () => {
    await t?.close();
    await sandbox?.stop();
  });

  const tokenCalls = async (provider: 'google' | 'microsoft', since: number) =>
    (await sandbox.control(provider).journal(since)).entries.filter((entry) => entry.method === 'POST' && /\/token$/.test(entry.path));
  const journalEnd = async (provider: 'google' | 'microsoft') => (await sandbox.control(provider).journal()).entries.at(-1)?.seq ?? 0;

  async function connectGoogle(user: AuthUser) {
    const { url, state } = await service.authorizeUrl(user, 'google', 'calendar');
    const { code } = await consent(url, user.email);
    return service.connect(user, 'google', { authCode: code, state }, { purpose: 'calendar' });
  }

  it('builds an authorization URL with state, PKCE and offline access', async () => {
    const { url, state } = await service.authorizeUrl(alice, 'google', 'calendar');
    const parsed = new URL(url);
    expect(parsed.searchParams.get('state')).toBe(state);
    expect(parsed.searchParams.get('code_challenge_method')).toBe('S256');
    expect(parsed.searchParams.get('access_type')).toBe('offline');
    expect(parsed.searchParams.get('scope')).toContain('calendar.events');
  });

  it('connects Google with PKCE and stores the tokens encrypted with the account email', async () => {
    const view = await connectGoogle(alice);
    expect(view).toMatchObject({ provider: 'google', status: 'active', accountEmail: alice.email });
    const [row] = await t.app.get(DataSource).query('SELECT access_token_enc, refresh_token_enc FROM connections WHERE id = $1', [view.id]);
    expect(row.access_token_enc).toMatch(/^v1\./);
    expect(row.access_token_enc).not.toContain('ya29');
    expect(JSON.stringify(await service.list(alice))).not.toMatch(/ya29|1\/\/sandbox/);
  });

  it('refuses a replayed state without calling the provider', async () => {
    const { url, state } = await service.authorizeUrl(alice, 'google', 'calendar');
    const { code } = await consent(url, alice.email);
    await service.connect(alice, 'google', { authCode: code, state }, { purpose: 'calendar' });
    const since = await journalEnd('google');
    await expect(service.connect(alice, 'google', { authCode: code, state }, { purpose: 'calendar' })).rejects.toMatchObject({ code: 'INVALID_OAUTH_STATE' });
    expect(await tokenCalls('google', since)).toHaveLength(0);
  });

  it("refuses another user's state and leaves it usable by its owner", async () => {
    const { url, state } = await service.authorizeUrl(alice, 'google', 'calendar');
    const { code } = await consent(url, alice.email);
    await expect(service.connect(bob, 'google', { authCode: code, state }, { purpose: 'calendar' })).rejects.toMatchObject({ code: 'INVALID_OAUTH_STATE' });
    await expect(service.connect(alice, 'google', { authCode: code, state }, { purpose: 'calendar' })).resolves.toMatchObject({ status: 'active' });
  });

  it('answers a bad code with CALENDAR_CONNECTION_ERROR and the provider reason', async () => {
    await expect(service.connect(alice, 'outlook', { authCode: 'not-a-code' }, { purpose: 'calendar' })).rejects.toMatchObject({
      code: 'CALENDAR_CONNECTION_ERROR',
      message: expect.stringContaining('invalid_grant'),
    });
    await expect(service.connect(alice, 'google', {}, { purpose: 'calendar' })).rejects.toMatchObject({ code: 'MISSING_AUTH_CODE' });
  });

  it('connects Outlook and refreshes before expiry, storing the rotated refresh token', async () => {
    const { url, state } = await service.authorizeUrl(alice, 'outlook', 'calendar');
    const { code } = await consent(url, alice.email);
    const view = await service.connect(alice, 'outlook', { authCode: code, state }, { purpose: 'calendar' });
    expect(view.accountEmail).toBe(alice.email);
    const db = t.app.get(DataSource);
    const [before] = await db.query('SELECT refresh_token_enc FROM connections WHERE id = $1', [view.id]);
    await db.query(`UPDATE connections SET expires_at = now() + interval '30 seconds' WHERE id = $1`, [view.id]);
    const since = await journalEnd('microsoft');
    const token = await service.withAccessToken(view.id, async (accessToken) => accessToken);
    expect(await tokenCalls('microsoft', since)).toHaveLength(1);
    const [after] = await db.query('SELECT refresh_token_enc, expires_at FROM connections WHERE id = $1', [view.id]);
    expect(after.refresh_token_enc).not.toBe(before.refresh_token_enc);
    expect(new Date(after.expires_at).getTime()).toBeGreaterThan(Date.now() + 10 * 60_000);
    // the new token works at Graph
    const me = await fetch(`${sandbox.urls.microsoft}/v1.0/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
  });

  it('refreshes once when two app instances race for an expiring token', async () => {
    const view = await connectGoogle(alice);
    const second = await createApp({ config: t.config, databaseUrl: t.db.url });
    await second.init();
    try {
      await t.app.get(DataSource).query(`UPDATE connections SET expires_at = now() + interval '10 seconds' WHERE id = $1`, [view.id]);
      const since = await journalEnd('google');
      const other = second.get(ConnectionsService);
      const tokens = await Promise.all([
        service.withAccessToken(view.id, async (token) => token),
        other.withAccessToken(view.id, async (token) => token),
        service.withAccessToken({ userId: alice.id, provider: 'google' }, async (token) => token),
        other.withAccessToken({ userId: alice.id, provider: 'google' }, async (token) => token),
      ]);
      expect(new Set(tokens).size).toBe(1);
      expect(await tokenCalls('google', since)).toHaveLength(1);
    } finally {
      await second.close();
    }
  });

  it('marks the connection needs_reauth when the refresh token was revoked, and stops calling the provider', async () => {
    const view = await connectGoogle(bob);
    const db = t.app.get(DataSource);
    const [row] = await db.query('SELECT refresh_token_enc FROM connections WHERE id = $1', [view.id]);
    const refreshToken = t.app.get(SecretBox).decrypt(row.refresh_token_enc, `connection:${bob.id}:google`);
    await fetch(`${sandbox.urls.google}/revoke?token=${encodeURIComponent(refreshToken)}`, { method: 'POST' });
    await db.query(`UPDATE connections SET expires_at = now() - interval '1 minute' WHERE id = $1`, [view.id]);

    await expect(service.withAccessToken(view.id, async () => 'unreachable')).rejects.toBeInstanceOf(ConnectionReauthRequiredError);
    const [listed] = await service.list(bob);
    expect(listed).toMatchObject({ status: 'needs_reauth', statusReason: expect.stringContaining('invalid_grant') });

    const since = await journalEnd('google');
    await expect(service.withAccessToken(view.id, async () => 'unreachable')).rejects.toMatchObject({ code: 'CONNECTION_NEEDS_REAUTH' });
    expect(await tokenCalls('google', since)).toHaveLength(0);
  });

  it('disconnects: revokes at the provider and deletes the secrets', async () => {
    const view = await connectGoogle(bob);
    const since = await journalEnd('google');
    await expect(service.disconnect(bob, 'google')).resolves.toMatchObject({ id: view.id });
    const revokes = (await sandbox.control('google').journal(since)).entries.filter((entry) => entry.path.startsWith('/revoke'));
    expect(revokes).toHaveLength(1);
    expect(await t.app.get(DataSource).query('SELECT 1 FROM connections WHERE id = $1', [view.id])).toHaveLength(0);
    await expect(service.disconnect(bob, 'google')).rejects.toMatchObject({ code: 'CONNECTION_NOT_FOUND' });
  });
});
