/**
 * startSandbox: every provider emulator on its own port, the SMTP catcher and the inspection page, for tests,
 * `npm run sandbox` (cli.ts) and `npm start` (launch.ts).
 *
 *   const sandbox = await startSandbox({ providers: ['google', 'stripe'], basePort: 0 });
 *   process.env = { ...process.env, ...sandbox.env() };
 *   await sandbox.control('google').reset();
 *   await sandbox.stop();
 */
import { SandboxControl } from './client.js';
import type { EmulatorDefinition, ProviderName, SandboxSettings } from './core/contract.js';
import { startEmulator, type EmulatorHarness } from './core/server.js';
import { createGoogleEmulator, GOOGLE_SANDBOX_CLIENT } from './google/index.js';
import { createMicrosoftEmulator } from './microsoft/index.js';
import { startInspectionPage, type InspectionPage } from './page/index.js';
import { startSmtpCatcher, type SmtpCatcher } from './smtp/index.js';
import { createStripeEmulator } from './stripe/index.js';
import { createZoomEmulator } from './zoom/index.js';

export const ALL_PROVIDERS: ProviderName[] = ['stripe', 'google', 'microsoft', 'zoom'];

/** offsets from basePort when ports are fixed (SANDBOX.md): page +0, stripe +1, google +2, microsoft +3, zoom +4, SMTP +15 */
export const PORT_OFFSETS = { page: 0, stripe: 1, google: 2, microsoft: 3, zoom: 4, smtp: 15 } as const;

/** the credentials the emulators accept by default; launch.ts sets them when a provider's real ones are missing */
export const SANDBOX_CREDENTIALS: Record<ProviderName, Record<string, string>> = {
  stripe: {
    STRIPE_SECRET_KEY: 'sk_test_sandbox',
    STRIPE_PUBLISHABLE_KEY: 'pk_test_sandbox',
    STRIPE_WEBHOOK_SECRET: 'whsec_sandbox',
  },
  google: {
    GOOGLE_CLIENT_ID: GOOGLE_SANDBOX_CLIENT.clientId,
    GOOGLE_CLIENT_SECRET: GOOGLE_SANDBOX_CLIENT.clientSecret,
  },
  microsoft: {
    OUTLOOK_CLIENT_ID: 'sandbox-outlook-client-id',
    OUTLOOK_CLIENT_SECRET: 'sandbox-outlook-client-secret',
    MICROSOFT_CLIENT_ID: 'sandbox-microsoft-client-id',
    MICROSOFT_CLIENT_SECRET: 'sandbox-microsoft-client-secret',
  },
  zoom: {
    ZOOM_CLIENT_ID: 'sandbox-zoom-client-id',
    ZOOM_CLIENT_SECRET: 'sandbox-zoom-client-secret',
    ZOOM_ACCOUNT_ID: 'sandbox-zoom-account',
    ZOOM_WEBHOOK_SECRET_TOKEN: 'sandbox-zoom-webhook-secret',
  },
};

export const BASE_URL_VARS: Record<ProviderName, string> = {
  stripe: 'STRIPE_API_BASE_URL',
  google: 'GOOGLE_API_BASE_URL',
  microsoft: 'MICROSOFT_API_BASE_URL',
  zoom: 'ZOOM_API_BASE_URL',
};

export interface SandboxOptions {
  providers?: ProviderName[];
  host?: string;
  /** 0 (default): every server on an ephemeral port; otherwise PORT_OFFSETS from this port */
  basePort?: number;
  webhooks?: {
    stripe?: { url: string; secret: string };
    zoom?: { url: string; secretToken: string };
  };
  settings?: SandboxSettings;
  /** start the SMTP catcher (default true) */
  smtp?: boolean;
  /** start the inspection page (default true) */
  page?: boolean;
}

export interface Sandbox {
  /** origins of the running emulators */
  urls: Partial<Record<ProviderName, string>>;
  smtpUrl?: string;
  pageUrl?: string;
  emulators: Partial<Record<ProviderName, EmulatorHarness>>;
  smtp?: SmtpCatcher;
  /** the app's environment for the running emulators: base URLs, sandbox credentials, SMTP_URL */
  env(): Record<string, string>;
  /** the control-API client of one emulator */
  control(provider: ProviderName): SandboxControl;
  /** resets every emulator and the SMTP catcher */
  reset(): Promise<void>;
  stop(): Promise<void>;
}

const FACTORIES: Record<ProviderName, (options: SandboxOptions) => EmulatorDefinition> = {
  stripe: (options) => createStripeEmulator({ webhook: options.webhooks?.stripe }),
  google: () => createGoogleEmulator(),
  microsoft: () => createMicrosoftEmulator(),
  zoom: (options) => createZoomEmulator({ webhook: options.webhooks?.zoom }),
};

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const host = options.host ?? '127.0.0.1';
  const basePort = options.basePort ?? 0;
  const portFor = (offset: number) => (basePort ? basePort + offset : 0);
  const emulators: Partial<Record<ProviderName, EmulatorHarness>> = {};
  let smtp: SmtpCatcher | undefined;
  let page: InspectionPage | undefined;

  const stopAll = async () => {
    await page?.stop();
    await smtp?.stop();
    await Promise.all(Object.values(emulators).map((emulator) => emulator.stop()));
  };

  try {
    for (const provider of options.providers ?? ALL_PROVIDERS) {
      const definition = FACTORIES[provider](options);
      emulators[provider] = await startEmulator(definition, {
        host,
        port: portFor(PORT_OFFSETS[provider]),
        settings: options.settings,
      });
    }
    if (options.smtp ?? true) smtp = await startSmtpCatcher({ host, port: portFor(PORT_OFFSETS.smtp) });
    if (options.page ?? true) {
      page = await startInspectionPage({ host, port: portFor(PORT_OFFSETS.page), emulators: Object.values(emulators), smtp });
    }
  } catch (error) {
    await stopAll();
    throw error;
  }

  const urls = Object.fromEntries(Object.entries(emulators).map(([name, emulator]) => [name, emulator.url]));
  return {
    urls,
    smtpUrl: smtp?.url,
    pageUrl: page?.url,
    emulators,
    smtp,
    env() {
      const env: Record<string, string> = {};
      for (const [provider, emulator] of Object.entries(emulators) as Array<[ProviderName, EmulatorHarness]>) {
        env[BASE_URL_VARS[provider]] = emulator.url;
        Object.assign(env, SANDBOX_CREDENTIALS[provider]);
      }
      if (smtp) env.SMTP_URL = smtp.url;
      return env;
    },
    control(provider) {
      const emulator = emulators[provider];
      if (!emulator) throw new Error(`the ${provider} emulator is not running`);
      return new SandboxControl(emulator.url);
    },
    async reset() {
      for (const emulator of Object.values(emulators)) emulator.reset();
      smtp?.reset();
    },
    stop: stopAll,
  };
}
