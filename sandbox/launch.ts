/**
 * `npm start`: for every provider without credentials in the environment (and outside production), start its
 * emulator on the fixed sandbox ports, point the app at it through env vars (never overriding one that is set), log
 * one line per provider, then start the app (src/main.ts starts it on import). Production code never imports this.
 */
import { pathToFileURL } from 'node:url';
import type { ProviderName } from './core/contract.js';
import { SANDBOX_CREDENTIALS, startSandbox, type Sandbox } from './index.js';

export const DEFAULT_SANDBOX_PORT = 4010;

/** the variable whose absence means "no real credentials for this provider" */
const CREDENTIAL_VARS: Record<ProviderName, string[]> = {
  stripe: ['STRIPE_SECRET_KEY'],
  google: ['GOOGLE_CLIENT_ID'],
  microsoft: ['OUTLOOK_CLIENT_ID', 'MICROSOFT_CLIENT_ID'],
  zoom: ['ZOOM_CLIENT_ID', 'ZOOM_ACCOUNT_ID'],
};

export interface LaunchResult {
  sandbox?: Sandbox;
  providers: ProviderName[];
  lines: string[];
}

/** the providers that need the sandbox: none of their credential variables is set */
export function providersWithoutCredentials(env: NodeJS.ProcessEnv): ProviderName[] {
  return (Object.keys(CREDENTIAL_VARS) as ProviderName[]).filter((provider) => CREDENTIAL_VARS[provider].every((name) => !env[name]));
}

/**
 * Starts the emulators the environment needs and fills in `env` (process.env by default). SANDBOX_PORT moves the
 * fixed ports (page at SANDBOX_PORT, stripe +1, google +2, microsoft +3, zoom +4, SMTP +15); 0 picks free ports.
 */
export async function prepareSandbox(env: NodeJS.ProcessEnv = process.env, log: (line: string) => void = console.log): Promise<LaunchResult> {
  if (env.NODE_ENV === 'production') return { providers: [], lines: [] };
  const providers = providersWithoutCredentials(env);
  const needSmtp = !env.SMTP_URL;
  if (providers.length === 0 && !needSmtp) return { providers, lines: [] };

  const appOrigin = `http://127.0.0.1:${env.PORT || 3000}`;
  const sandbox = await startSandbox({
    providers,
    basePort: env.SANDBOX_PORT !== undefined ? Number(env.SANDBOX_PORT) : DEFAULT_SANDBOX_PORT,
    webhooks: {
      stripe: { url: `${appOrigin}/api/integrations/payments/webhooks/stripe`, secret: env.STRIPE_WEBHOOK_SECRET || SANDBOX_CREDENTIALS.stripe.STRIPE_WEBHOOK_SECRET },
      zoom: {
        url: `${appOrigin}/api/integrations/video/webhooks/zoom`,
        secretToken: env.ZOOM_WEBHOOK_SECRET_TOKEN || SANDBOX_CREDENTIALS.zoom.ZOOM_WEBHOOK_SECRET_TOKEN,
      },
    },
    smtp: needSmtp,
  });

  const lines: string[] = [];
  for (const [name, value] of Object.entries(sandbox.env())) {
    if (env[name] === undefined || env[name] === '') env[name] = value;
  }
  for (const provider of providers) {
    const missing = CREDENTIAL_VARS[provider].join(' / ');
    lines.push(`${provider}: sandbox emulator at ${sandbox.urls[provider]} (${missing} not set)`);
  }
  if (sandbox.smtpUrl) lines.push(`smtp: sandbox catcher at ${sandbox.smtpUrl} (SMTP_URL not set)`);
  if (sandbox.pageUrl) lines.push(`sandbox: inspection page at ${sandbox.pageUrl}`);
  for (const line of lines) log(line);
  return { sandbox, providers, lines };
}

async function main(): Promise<void> {
  await prepareSandbox();
  await import('../src/main.js');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
