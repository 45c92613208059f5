/**
 * The Stripe emulator: API v1 as stripe-node 23 (API version 2026-10-28.endive) uses it, stateful and in memory,
 * with signed webhook deliveries and sandbox controls. See README.md in this folder for the controls.
 */
import type { EmulatorContext, EmulatorDefinition } from '../core/contract.js';
import { Billing } from './billing.js';
import { errorForStatus } from './errors.js';
import { StripeHttp } from './http.js';
import { Payments } from './payments.js';
import { registerStripeControls } from './controls.js';
import { registerStripeRoutes } from './routes.js';
import { StripeStore } from './state.js';
import { WebhookDispatcher, type WebhookEndpointConfig } from './webhooks.js';

export interface StripeEmulatorOptions {
  /** secret keys the emulator accepts (default: sk_test_sandbox) */
  apiKeys?: string[];
  /** an endpoint to deliver events to from the start; more can be added at /__sandbox/webhook_endpoints */
  webhook?: WebhookEndpointConfig;
  /** waits before each webhook retry (default 100, 250, 500 ms: three retries) */
  webhookRetryDelaysMs?: number[];
}

export const SANDBOX_STRIPE_SECRET_KEY = 'sk_test_sandbox';

export function createStripeEmulator(options: StripeEmulatorOptions = {}): EmulatorDefinition {
  const apiKeys = options.apiKeys ?? [SANDBOX_STRIPE_SECRET_KEY];
  let ctx: EmulatorContext | undefined;
  const clockMs = () => ctx?.now() ?? Date.now();
  const webhooks = new WebhookDispatcher(
    () => ctx,
    options.webhook ? [options.webhook] : [],
    options.webhookRetryDelaysMs ?? [100, 250, 500],
  );
  const store = new StripeStore(clockMs, webhooks, (event) =>
    ctx?.recordActivity({ kind: 'event', summary: `${event.type} ${event.id}`, detail: { id: event.id, type: event.type } }),
  );
  const http = new StripeHttp(() => apiKeys, clockMs);
  const payments = new Payments(store);
  const billing = new Billing(store, payments);

  return {
    name: 'stripe',
    // The seed's rate limit for Stripe: 100 requests per second.
    defaultQuota: { limit: 100, windowMs: 1000 },
    errorResponse: (status, message) => errorForStatus(status, message),
    register(app, context) {
      ctx = context;
      http.installBodyParser(app);
      registerStripeRoutes(app, { http, store, payments, billing, webhooks });
      registerStripeControls(app, { store, payments, billing, webhooks });
      app.addHook('onClose', async () => webhooks.close());
    },
    reset() {
      store.reset();
      http.reset();
      webhooks.reset();
    },
  };
}
