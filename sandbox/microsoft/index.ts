/**
 * Microsoft identity platform + Graph v1.0 emulator (login.microsoftonline.com and graph.microsoft.com on one
 * origin). See README.md for the controls and settings.
 */
import formbody from '@fastify/formbody';
import type { EmulatorContext, EmulatorDefinition, SandboxSettings } from '../core/contract.js';
import { Directory } from './directory.js';
import { graphErrorForStatus } from './graph-errors.js';
import { registerGraphRoutes } from './graph.js';
import { registerMicrosoftControls } from './controls.js';
import { MicrosoftIdentity, type MicrosoftClient } from './identity.js';
import { Mailbox } from './mailbox.js';
import { Subscriptions } from './subscriptions.js';

export interface MicrosoftEmulatorOptions {
  /** OAuth clients accepted; default the sandbox OUTLOOK_* and MICROSOFT_* pairs */
  clients?: MicrosoftClient[];
  /** addresses treated as personal Microsoft accounts besides @outlook.com, @hotmail.com, @live.com */
  personalAccounts?: string[];
}

export const SANDBOX_MICROSOFT_CLIENTS: MicrosoftClient[] = [
  { clientId: 'sandbox-outlook-client-id', clientSecret: 'sandbox-outlook-client-secret' },
  { clientId: 'sandbox-microsoft-client-id', clientSecret: 'sandbox-microsoft-client-secret' },
];

export function createMicrosoftEmulator(options: MicrosoftEmulatorOptions = {}): EmulatorDefinition {
  let context: EmulatorContext | undefined;
  const ctx = () => {
    if (!context) throw new Error('the Microsoft emulator is not registered yet');
    return context;
  };
  const now = () => (context ? context.now() : Date.now());
  const directory = new Directory();
  const identity = new MicrosoftIdentity(options.clients ?? SANDBOX_MICROSOFT_CLIENTS, directory, ctx);
  const mailbox = new Mailbox(now);
  const subscriptions = new Subscriptions(directory, ctx);
  mailbox.onChange((owner, changeType, event) => subscriptions.notify(owner, changeType, event));

  const applyPersonalAccounts = (emails: unknown) => {
    if (!Array.isArray(emails)) return;
    for (const email of emails) if (typeof email === 'string') directory.upsert(email, { personal: true });
  };
  applyPersonalAccounts(options.personalAccounts);

  return {
    name: 'microsoft',
    // the seed's Graph quota: 10,000 requests per 10 minutes
    defaultQuota: { limit: 10_000, windowMs: 10 * 60 * 1000 },
    errorResponse: (status, message) => ({ body: graphErrorForStatus(status, message) }),
    async register(app, emulatorContext) {
      context = emulatorContext;
      if (!app.hasContentTypeParser('application/x-www-form-urlencoded')) await app.register(formbody);
      identity.register(app);
      registerGraphRoutes(app, { ctx, directory, identity, mailbox, subscriptions });
      registerMicrosoftControls(app, { ctx, directory, identity, mailbox });
    },
    applySettings(settings: SandboxSettings) {
      applyPersonalAccounts(settings.personalAccounts);
    },
    reset() {
      directory.reset();
      identity.reset();
      mailbox.reset();
      subscriptions.reset();
      applyPersonalAccounts(options.personalAccounts);
    },
  };
}
