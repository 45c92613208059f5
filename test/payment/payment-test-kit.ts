import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { DataSource as DataSourceToken } from 'typeorm';
import type { SandboxControl } from '../../sandbox/client.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { createCast, startTestApp, type TestApp } from '../support/test-app.js';

export const WEBHOOK_SECRET = 'whsec_sandbox';
export const ROTATED_SECRET = 'whsec_rotated_next';

export interface PaymentKit {
  t: TestApp;
  sandbox: Sandbox;
  stripeControl: SandboxControl;
  /** the test's own Stripe client (set-up only: prices, events), talking to the emulator */
  stripe: Stripe;
  webhookUrl: string;
  cast: Awaited<ReturnType<typeof createCast>>;
  close(): Promise<void>;
}

/** The real app on a fresh database, the Stripe emulator delivering signed webhooks to it, and a cast of users. */
export async function startPaymentKit(env: Record<string, string> = {}): Promise<PaymentKit> {
  const sandbox = await startSandbox({ providers: ['stripe'], smtp: false, page: false });
  const t = await startTestApp({
    ...sandbox.env(),
    STRIPE_WEBHOOK_SECRET: `${WEBHOOK_SECRET},${ROTATED_SECRET}`,
    WORKER_INLINE: 'true',
    ...env,
  });
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  const webhookUrl = `http://127.0.0.1:${port}/api/integrations/payments/webhooks/stripe`;
  const stripeControl = sandbox.control('stripe');
  await stripeControl.request('POST', 'webhook_endpoints', { url: webhookUrl, secret: WEBHOOK_SECRET });
  const base = new URL(sandbox.urls.stripe!);
  const stripe = new Stripe('sk_test_sandbox', { host: base.hostname, port: Number(base.port), protocol: 'http', telemetry: false });
  const cast = await createCast(t);
  return {
    t,
    sandbox,
    stripeControl,
    stripe,
    webhookUrl,
    cast,
    async close() {
      await t.close();
      await sandbox.stop();
    },
  };
}

import { auth } from '../support/test-app.js';
export { auth };

import { eventually } from '../support/eventually.js';
export { eventually };

/** Journal entries of Stripe API calls (not control calls) after `since`. */
export async function stripeCalls(control: SandboxControl, since = 0) {
  const { entries } = await control.journal(since);
  return entries.filter((e) => e.path.startsWith('/v1/'));
}

export async function lastSeq(control: SandboxControl): Promise<number> {
  const { entries } = await control.journal();
  return entries.at(-1)?.seq ?? 0;
}

export async function countRows(t: TestApp, tables: string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const [row] = (await t.app.get(DataSourceToken).query(`SELECT count(*)::int AS n FROM ${table}`)) as Array<{ n: number }>;
    counts[table] = row.n;
  }
  return counts;
}


export function db(t: TestApp): DataSourceToken {
  return t.app.get(DataSourceToken);
}

/** A recurring price at the emulator, as a practice would set up in the Stripe dashboard. */
export async function createPrice(stripe: Stripe, unitAmount = 12000): Promise<string> {
  const price = await stripe.prices.create({
    currency: 'usd',
    unit_amount: unitAmount,
    recurring: { interval: 'month' },
    product_data: { name: 'Weekly therapy plan' },
  });
  return price.id;
}

/** Signs a payload as Stripe does, for deliveries the test makes itself. */
export function sign(stripe: Stripe, payload: string, secret = WEBHOOK_SECRET, timestamp?: number): string {
  return stripe.webhooks.generateTestHeaderString({ payload, secret, ...(timestamp !== undefined && { timestamp }) });
}
