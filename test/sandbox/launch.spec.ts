import { prepareSandbox, providersWithoutCredentials } from '../../sandbox/launch.js';

describe(prepareSandbox.name, () => {
  it('starts emulators only for providers without credentials and never overrides a set variable', async () => {
    const env: NodeJS.ProcessEnv = {
      SANDBOX_PORT: '0',
      PORT: '3999',
      STRIPE_SECRET_KEY: 'sk_live_real',
      GOOGLE_CLIENT_SECRET: 'kept-as-is',
    };
    const lines: string[] = [];
    const { sandbox, providers } = await prepareSandbox(env, (line) => lines.push(line));
    try {
      expect(providers).not.toContain('stripe');
      expect(providers).toEqual(expect.arrayContaining(['google', 'microsoft', 'zoom']));
      expect(sandbox?.urls.stripe).toBeUndefined();
      expect(env.STRIPE_SECRET_KEY).toBe('sk_live_real');
      expect(env.STRIPE_API_BASE_URL).toBeUndefined();
      expect(env.GOOGLE_API_BASE_URL).toBe(sandbox?.urls.google);
      expect(env.GOOGLE_CLIENT_ID).toBe('sandbox-google-client-id');
      expect(env.GOOGLE_CLIENT_SECRET).toBe('kept-as-is');
      expect(env.SMTP_URL).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
      expect(lines).toContain(`google: sandbox emulator at ${sandbox?.urls.google} (GOOGLE_CLIENT_ID not set)`);
      expect(lines.some((line) => line.startsWith('microsoft: sandbox emulator at http://127.0.0.1:'))).toBe(true);
      expect(lines.some((line) => line.startsWith('stripe'))).toBe(false);
      await expect(fetch(`${env.GOOGLE_API_BASE_URL}/__sandbox/stats`).then((response) => response.status)).resolves.toBe(200);
    } finally {
      await sandbox?.stop();
    }
  });

  it('points Stripe webhooks at the app', async () => {
    const env: NodeJS.ProcessEnv = { SANDBOX_PORT: '0', PORT: '3999', GOOGLE_CLIENT_ID: 'x', OUTLOOK_CLIENT_ID: 'x', ZOOM_CLIENT_ID: 'x', SMTP_URL: 'smtp://mail:25' };
    const { sandbox, providers } = await prepareSandbox(env, () => undefined);
    try {
      expect(providers).toEqual(['stripe']);
      expect(sandbox?.smtpUrl).toBeUndefined();
      expect(env.SMTP_URL).toBe('smtp://mail:25');
      const endpoints = await fetch(`${env.STRIPE_API_BASE_URL}/__sandbox/webhook_endpoints`).then((response) => response.json());
      expect(JSON.stringify(endpoints)).toContain('http://127.0.0.1:3999/api/integrations/payments/webhooks/stripe');
    } finally {
      await sandbox?.stop();
    }
  });

  it('starts nothing in production or when every provider is configured', async () => {
    await expect(prepareSandbox({ NODE_ENV: 'production' }, () => undefined)).resolves.toEqual({ providers: [], lines: [] });
    const configured = { STRIPE_SECRET_KEY: 'a', GOOGLE_CLIENT_ID: 'b', MICROSOFT_CLIENT_ID: 'c', ZOOM_ACCOUNT_ID: 'd', SMTP_URL: 'smtp://x:25' };
    expect(providersWithoutCredentials(configured)).toEqual([]);
    await expect(prepareSandbox(configured, () => undefined)).resolves.toEqual({ providers: [], lines: [] });
  });
});
