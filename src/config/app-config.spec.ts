import { ConfigError, loadConfig, SANDBOX_ADMIN } from './app-config.js';

const KEY = Buffer.alloc(32, 7).toString('base64');
const production = {
  NODE_ENV: 'production',
  DATABASE_URL: 'postgres://u:p@db:5432/app',
  JWT_SECRET: 'x'.repeat(40),
  APP_ENCRYPTION_KEY: KEY,
};

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('gives a developer machine working defaults: embedded database, sandbox admin, port 3000', () => {
    const config = loadConfig({});
    expect(config.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.auth.admin).toMatchObject({ email: SANDBOX_ADMIN.email, isSandboxDefault: true });
    expect(config.workerInline).toBe(true);
  });

  it('refuses production without a database, a JWT secret and an encryption key, naming each', () => {
    const found = problems({ NODE_ENV: 'production' });
    expect(found.join('\n')).toMatch(/DATABASE_URL/);
    expect(found.join('\n')).toMatch(/JWT_SECRET/);
    expect(found.join('\n')).toMatch(/APP_ENCRYPTION_KEY/);
  });

  it('accepts a complete production environment and creates no default admin', () => {
    const config = loadConfig(production);
    expect(config.isProduction).toBe(true);
    expect(config.auth.admin).toBeUndefined();
  });

  it('refuses the sandbox in production', () => {
    expect(problems({ ...production, STRIPE_API_BASE_URL: 'http://127.0.0.1:4011' })).toEqual([
      expect.stringMatching(/STRIPE_API_BASE_URL/),
    ]);
    expect(problems({ ...production, STRIPE_SECRET_KEY: 'sk_test_sandbox' })).toEqual([expect.stringMatching(/STRIPE_SECRET_KEY/)]);
  });

  it.each([
    [{ PORT: 'eighty' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ WORKER_INLINE: 'maybe' }, /WORKER_INLINE/],
    [{ JWT_SECRET: 'short' }, /JWT_SECRET must be at least 32/],
    [{ APP_ENCRYPTION_KEY: 'not-base64-32-bytes' }, /APP_ENCRYPTION_KEY/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL/],
    [{ ADMIN_EMAIL: 'a@b.c' }, /ADMIN_EMAIL and ADMIN_PASSWORD/],
    [{ STRIPE_WEBHOOK_SECRET: 'secret' }, /STRIPE_WEBHOOK_SECRET/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ GOOGLE_API_BASE_URL: 'not a url' }, /GOOGLE_API_BASE_URL/],
  ])('names the variable in %o', (env, pattern) => {
    expect(problems(env as Record<string, string>).join('\n')).toMatch(pattern);
  });

  it('reads several Stripe webhook secrets for rotation', () => {
    expect(loadConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_a, whsec_b' }).stripe.webhookSecrets).toEqual(['whsec_a', 'whsec_b']);
  });

  it('never puts a secret into its JSON form', () => {
    const json = JSON.stringify(loadConfig({ ...production, STRIPE_SECRET_KEY: 'sk_live_abc', ADMIN_EMAIL: 'a@b.c', ADMIN_PASSWORD: 'very-secret-password' }));
    for (const secret of ['sk_live_abc', 'x'.repeat(40), KEY, 'very-secret-password', 'u:p@db']) expect(json).not.toContain(secret);
  });

  it('never puts a value into a problem message', () => {
    expect(problems({ JWT_SECRET: 'tiny-secret' }).join('\n')).not.toContain('tiny-secret');
  });
});
