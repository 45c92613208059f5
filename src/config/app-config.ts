import { EnvReader } from './env-reader.js';

export type RuntimeEnv = 'development' | 'test' | 'production';

export interface OAuthClientConfig {
  clientId?: string;
  clientSecret?: string;
  redirectUri: string;
}

/** Raised at start-up when the environment is wrong; lists every variable to fix. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

// Defaults that only make sense on a developer's machine; production refuses to start with them.
const SANDBOX_JWT_SECRET = 'sandbox-only-jwt-secret-never-use-in-production';
const SANDBOX_ENCRYPTION_KEY = Buffer.alloc(32, 's').toString('base64');
export const SANDBOX_ADMIN = { email: 'admin@sandbox.local', password: 'Sandbox-Admin-2026!' } as const;

/**
 * The one typed configuration of the service, read from the environment once at start-up. It is also the DI token:
 * inject `AppConfig` anywhere. Secret fields are kept out of `toJSON()` so the object can never leak into a log.
 */
export class AppConfig {
  readonly env: RuntimeEnv;
  readonly port: number;
  readonly host: string;
  readonly logLevel: string;
  readonly corsOrigins: string[];
  readonly trustProxy: boolean;
  readonly bodyLimitBytes: number;
  readonly database: { url?: string; embeddedDataDir: string; embeddedPort: number; poolSize: number };
  readonly auth: {
    jwtSecret: string;
    jwtIssuer: string;
    jwtAudience: string;
    jwtTtlSeconds: number;
    admin?: { email: string; password: string; isSandboxDefault: boolean };
    loginRateLimit: { perAccount: number; perIp: number; ttlSeconds: number };
  };
  readonly encryption: { key: string; previousKeys: string[] };
  readonly workerInline: boolean;
  readonly mail: { smtpUrl?: string; from: string };
  readonly google: OAuthClientConfig & { apiBaseUrl?: string };
  readonly outlook: OAuthClientConfig;
  readonly microsoft: OAuthClientConfig & { tenantId: string; apiBaseUrl?: string };
  readonly stripe: {
    secretKey?: string;
    publishableKey?: string;
    webhookSecrets: string[];
    apiBaseUrl?: string;
    /** payments and subscriptions still pending after this long are re-read from Stripe by the reconciliation job */
    reconcileAfterSeconds: number;
    /** cron (UTC) of the reconciliation job */
    reconcileCron: string;
  };
  readonly zoom: OAuthClientConfig & { accountId?: string; webhookSecretToken?: string; apiBaseUrl?: string };
  /** VIDEO_RECORDING_POLICY (none | local | cloud), VIDEO_REMINDER_OFFSETS_MINUTES (default 1440,60) */
  readonly video: { recordingPolicy: 'none' | 'local' | 'cloud'; reminderOffsetsMinutes: number[] };
  /** per-provider request budgets of calendar sync: `limit` requests per `windowSeconds` (the seed's numbers by default) */
  readonly calendar: {
    rateLimits: Record<'google' | 'outlook' | 'apple', { limit: number; windowSeconds: number }>;
    /** CALENDAR_DRIFT_CHECK_CRON (UTC): how often linked events are compared with the external calendars */
    driftCheckCron: string;
  };

  constructor(values: Omit<AppConfig, 'toJSON' | 'isProduction'>) {
    Object.assign(this, values);
  }

  get isProduction(): boolean {
    return this.env === 'production';
  }

  /** What may be logged: no secrets, no credentials, no database password. */
  toJSON(): Record<string, unknown> {
    return {
      env: this.env,
      port: this.port,
      database: this.database.url ? 'DATABASE_URL' : `embedded (${this.database.embeddedDataDir})`,
      workerInline: this.workerInline,
      providers: {
        google: Boolean(this.google.clientId),
        outlook: Boolean(this.outlook.clientId),
        microsoft: Boolean(this.microsoft.clientId),
        stripe: Boolean(this.stripe.secretKey),
        zoom: Boolean(this.zoom.clientId || this.zoom.accountId),
      },
    };
  }
}

function isBase64Key(value: string): boolean {
  return /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32;
}

/** Builds the configuration from an environment (process.env by default); throws ConfigError listing all problems. */
export function loadConfig(source: Record<string, string | undefined> = process.env): AppConfig {
  const env = new EnvReader(source);
  const runtime = env.oneOf<RuntimeEnv>('NODE_ENV', ['development', 'test', 'production'], 'development');
  const production = runtime === 'production';
  const port = env.integer('PORT', 3000, 0, 65535);
  const why = 'production never uses the development defaults';

  const databaseUrl = env.url('DATABASE_URL', undefined, ['postgres:', 'postgresql:']);
  if (production && !databaseUrl) env.required('DATABASE_URL', 'production never starts the embedded PostgreSQL');

  const jwtSecret = production
    ? env.required('JWT_SECRET', why)
    : (env.string('JWT_SECRET') ?? SANDBOX_JWT_SECRET);
  env.check(jwtSecret === '' || jwtSecret.length >= 32, 'JWT_SECRET must be at least 32 characters');

  const encryptionKey = production
    ? env.required('APP_ENCRYPTION_KEY', why)
    : (env.string('APP_ENCRYPTION_KEY') ?? SANDBOX_ENCRYPTION_KEY);
  const previousKeys = env.list('APP_ENCRYPTION_PREVIOUS_KEYS');
  env.check(encryptionKey === '' || isBase64Key(encryptionKey), 'APP_ENCRYPTION_KEY must be 32 bytes in base64');
  env.check(previousKeys.every(isBase64Key), 'APP_ENCRYPTION_PREVIOUS_KEYS must be a comma-separated list of base64 32-byte keys');

  const adminEmail = env.string('ADMIN_EMAIL');
  const adminPassword = env.string('ADMIN_PASSWORD');
  env.check(!adminEmail === !adminPassword, 'ADMIN_EMAIL and ADMIN_PASSWORD must be set together');
  env.check(!adminEmail || /^[^\s@]+@[^\s@]+$/.test(adminEmail), 'ADMIN_EMAIL must be an email address');
  env.check(!adminPassword || adminPassword.length >= 12, 'ADMIN_PASSWORD must be at least 12 characters');
  const admin =
    adminEmail && adminPassword
      ? { email: adminEmail, password: adminPassword, isSandboxDefault: false }
      : production
        ? undefined
        : { ...SANDBOX_ADMIN, isSandboxDefault: true };

  const publicUrl = `http://localhost:${port}`;
  const stripeSecrets = env.list('STRIPE_WEBHOOK_SECRET');
  env.check(stripeSecrets.every((secret) => secret.startsWith('whsec_')), 'STRIPE_WEBHOOK_SECRET entries must start with whsec_');

  const config = new AppConfig({
    env: runtime,
    port,
    host: env.string('HOST', '0.0.0.0')!,
    logLevel: env.oneOf('LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], 'info'),
    corsOrigins: env.list('CORS_ORIGINS', production ? [] : ['http://localhost:3000', 'http://localhost:5173']),
    trustProxy: env.boolean('TRUST_PROXY', false),
    bodyLimitBytes: env.integer('BODY_LIMIT_BYTES', 512 * 1024, 1024, 10 * 1024 * 1024),
    database: {
      url: databaseUrl,
      embeddedDataDir: env.string('EMBEDDED_PG_DATA_DIR', '.data/postgres')!,
      embeddedPort: env.integer('EMBEDDED_PG_PORT', 54329, 0, 65535),
      poolSize: env.integer('DATABASE_POOL_SIZE', 10, 1, 200),
    },
    auth: {
      jwtSecret,
      jwtIssuer: env.string('JWT_ISSUER', 'teletherapy-integrations')!,
      jwtAudience: env.string('JWT_AUDIENCE', 'teletherapy-api')!,
      jwtTtlSeconds: env.integer('JWT_TTL_SECONDS', 900, 60, 86400),
      admin,
      loginRateLimit: {
        perAccount: env.integer('LOGIN_RATE_LIMIT', 5, 1, 10000),
        perIp: env.integer('LOGIN_IP_RATE_LIMIT', 20, 1, 100000),
        ttlSeconds: env.integer('LOGIN_RATE_LIMIT_WINDOW_SECONDS', 60, 1, 86400),
      },
    },
    encryption: { key: encryptionKey, previousKeys },
    workerInline: env.boolean('WORKER_INLINE', true),
    mail: {
      smtpUrl: env.url('SMTP_URL', undefined, ['smtp:', 'smtps:']),
      from: env.string('MAIL_FROM', 'Teletherapy <no-reply@localhost>')!,
    },
    google: {
      clientId: env.string('GOOGLE_CLIENT_ID'),
      clientSecret: env.string('GOOGLE_CLIENT_SECRET'),
      redirectUri: env.url('GOOGLE_REDIRECT_URI', `${publicUrl}/auth/google/callback`)!,
      apiBaseUrl: env.url('GOOGLE_API_BASE_URL'),
    },
    outlook: {
      clientId: env.string('OUTLOOK_CLIENT_ID'),
      clientSecret: env.string('OUTLOOK_CLIENT_SECRET'),
      redirectUri: env.url('OUTLOOK_REDIRECT_URI', `${publicUrl}/auth/outlook/callback`)!,
    },
    microsoft: {
      clientId: env.string('MICROSOFT_CLIENT_ID'),
      clientSecret: env.string('MICROSOFT_CLIENT_SECRET'),
      tenantId: env.string('MICROSOFT_TENANT_ID', 'common')!,
      redirectUri: env.url('MICROSOFT_REDIRECT_URI', `${publicUrl}/auth/microsoft/callback`)!,
      apiBaseUrl: env.url('MICROSOFT_API_BASE_URL'),
    },
    stripe: {
      secretKey: env.string('STRIPE_SECRET_KEY'),
      publishableKey: env.string('STRIPE_PUBLISHABLE_KEY'),
      webhookSecrets: stripeSecrets,
      apiBaseUrl: env.url('STRIPE_API_BASE_URL'),
      reconcileAfterSeconds: env.integer('PAYMENT_RECONCILE_AFTER_SECONDS', 900, 0, 30 * 86400),
      reconcileCron: env.string('PAYMENT_RECONCILE_CRON', '*/5 * * * *')!,
    },
    zoom: {
      clientId: env.string('ZOOM_CLIENT_ID'),
      clientSecret: env.string('ZOOM_CLIENT_SECRET'),
      redirectUri: env.url('ZOOM_REDIRECT_URI', `${publicUrl}/auth/zoom/callback`)!,
      accountId: env.string('ZOOM_ACCOUNT_ID'),
      webhookSecretToken: env.string('ZOOM_WEBHOOK_SECRET_TOKEN'),
      apiBaseUrl: env.url('ZOOM_API_BASE_URL'),
    },
    video: {
      // Recording a therapy session needs the client's consent: off unless the practice turns it on.
      recordingPolicy: env.oneOf('VIDEO_RECORDING_POLICY', ['none', 'local', 'cloud'], 'none'),
      reminderOffsetsMinutes: env.list('VIDEO_REMINDER_OFFSETS_MINUTES', ['1440', '60']).map(Number),
    },
    calendar: {
      rateLimits: {
        google: {
          limit: env.integer('CALENDAR_GOOGLE_RATE_LIMIT', 1_000_000, 1, 100_000_000),
          windowSeconds: env.integer('CALENDAR_GOOGLE_RATE_WINDOW_SECONDS', 86_400, 1, 86_400 * 31),
        },
        outlook: {
          limit: env.integer('CALENDAR_OUTLOOK_RATE_LIMIT', 10_000, 1, 100_000_000),
          windowSeconds: env.integer('CALENDAR_OUTLOOK_RATE_WINDOW_SECONDS', 600, 1, 86_400 * 31),
        },
        apple: {
          limit: env.integer('CALENDAR_APPLE_RATE_LIMIT', 10, 1, 100_000_000),
          windowSeconds: env.integer('CALENDAR_APPLE_RATE_WINDOW_SECONDS', 1, 1, 86_400 * 31),
        },
      },
      driftCheckCron: env.string('CALENDAR_DRIFT_CHECK_CRON', '*/10 * * * *')!,
    },
  });

  env.check(
    config.video.reminderOffsetsMinutes.every((minutes) => Number.isInteger(minutes) && minutes > 0 && minutes <= 10080),
    'VIDEO_REMINDER_OFFSETS_MINUTES must be a comma-separated list of minutes between 1 and 10080',
  );
  env.check(
    /^\S+(\s+\S+){4,5}$/.test(config.calendar.driftCheckCron.trim()),
    'CALENDAR_DRIFT_CHECK_CRON must be a cron expression of 5 or 6 fields',
  );
  if (production) {
    for (const [name, value] of [
      ['STRIPE_API_BASE_URL', config.stripe.apiBaseUrl],
      ['GOOGLE_API_BASE_URL', config.google.apiBaseUrl],
      ['MICROSOFT_API_BASE_URL', config.microsoft.apiBaseUrl],
      ['ZOOM_API_BASE_URL', config.zoom.apiBaseUrl],
    ] as const) {
      env.check(!value?.startsWith('http://'), `${name} must use https in production (the sandbox is not for production)`);
    }
    env.check(!config.stripe.secretKey?.startsWith('sk_test_sandbox'), 'STRIPE_SECRET_KEY is the sandbox key');
  }
  if (env.problems.length > 0) throw new ConfigError(env.problems);
  return config;
}
