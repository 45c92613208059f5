/**
 * npm run bench:webhooks — Stripe webhook ingestion of the real app against a minimal baseline.
 *
 * Starts the app on a throwaway database of a real PostgreSQL (DATABASE_URL's server, else 127.0.0.1:5432), and a
 * bare node:http handler that verifies the signature and does the same durable INSERT ... ON CONFLICT DO NOTHING.
 * A child process drives signed events (unique ids, ~2.5 KB bodies, 10% duplicates) at each with autocannon:
 * first flat out (throughput), then at a fixed 500 events/s (latency). Afterwards every event answered 2xx must be
 * in the database. Exit 0 when the app reaches half the baseline's throughput, p99 < 50 ms at 500/s and nothing is
 * missing; 1 otherwise.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import Stripe from 'stripe';
import { createTestDatabase } from '../test/support/test-database.js';

const SECRET = 'whsec_bench';
const DURATION_S = Number(process.env.BENCH_DURATION_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const FIXED_RATE = 500;
const verifier = new Stripe('sk_test_bench', { telemetry: false });

interface DriveResult {
  requestsPerSecond: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  errors: number;
  okIds: string[];
}

// ---------------------------------------------------------------- load generator (child process)

interface Autocannon {
  (options: Record<string, unknown>): Promise<{
    requests: { average: number };
    latency: { p50: number; p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
    '2xx': number;
  }>;
}

function eventBody(id: string): string {
  const now = Math.floor(Date.now() / 1000);
  const pi = `pi_${randomBytes(12).toString('hex')}`;
  return JSON.stringify({
    id,
    object: 'event',
    api_version: '2026-10-28.endive',
    created: now,
    data: {
      object: {
        id: pi,
        object: 'payment_intent',
        amount: 15000,
        amount_capturable: 0,
        amount_received: 15000,
        currency: 'usd',
        customer: `cus_${randomBytes(7).toString('hex')}`,
        client_secret: `${pi}_secret_${randomBytes(12).toString('hex')}`,
        created: now,
        description: 'Therapy session',
        latest_charge: `ch_${randomBytes(12).toString('hex')}`,
        livemode: false,
        metadata: { sessionId: crypto.randomUUID(), payerId: crypto.randomUUID(), therapistId: crypto.randomUUID() },
        payment_method: `pm_${randomBytes(12).toString('hex')}`,
        payment_method_types: ['card'],
        status: 'succeeded',
        // Stripe's real payment_intent objects carry ~60 more fields; padding brings the body to a realistic size.
        padding: 'x'.repeat(1700),
      },
    },
    livemode: false,
    pending_webhooks: 1,
    request: { id: `req_${randomBytes(7).toString('hex')}`, idempotency_key: crypto.randomUUID() },
    type: 'payment_intent.succeeded',
  });
}

async function drive(url: string, label: string, rate?: number): Promise<DriveResult> {
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const sent: Array<{ id: string; body: string }> = [];
  const okIds = new Set<string>();
  let counter = 0;
  const result = await autocannon({
    url,
    connections: rate ? 16 : CONNECTIONS,
    duration: DURATION_S,
    ...(rate && { overallRate: rate }),
    requests: [
      {
        method: 'POST',
        setupRequest: (request: Record<string, unknown>, context: Record<string, unknown>) => {
          counter++;
          let event: { id: string; body: string };
          if (counter % 10 === 0 && sent.length > 0) event = sent[Math.floor(Math.random() * sent.length)];
          else {
            const id = `evt_${label}${counter.toString(36)}${randomBytes(6).toString('hex')}`;
            event = { id, body: eventBody(id) };
            sent.push(event);
          }
          context.eventId = event.id;
          return {
            ...request,
            headers: {
              'content-type': 'application/json',
              'stripe-signature': verifier.webhooks.generateTestHeaderString({ payload: event.body, secret: SECRET }),
            },
            body: event.body,
          };
        },
        onResponse: (status: number, _body: string, context: Record<string, unknown>) => {
          if (status >= 200 && status < 300) okIds.add(context.eventId as string);
        },
      },
    ],
  });
  return {
    requestsPerSecond: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result['2xx'] + result.non2xx,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
    okIds: [...okIds],
  };
}

// ---------------------------------------------------------------- orchestrator

function inChild(url: string, label: string, rate?: number): Promise<DriveResult> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--drive', url, label, String(rate ?? '')], { stdio: 'inherit' });
    child.once('message', (message) => resolve(message as DriveResult));
    child.once('error', reject);
    child.once('exit', (code) => code !== 0 && reject(new Error(`load generator exited with ${code}`)));
  });
}

/** The server the benchmark makes its throwaway database on (the tests' server, else the local PostgreSQL). */
function serverUrl(): string {
  return process.env.DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
}

/** The baseline: what any correct receiver must do at least — verify, one durable insert, answer. */
async function startBaseline(databaseUrl: string, poolSize: number): Promise<{ url: string; pool: pg.Pool; server: Server }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: poolSize });
  await pool.query(`CREATE TABLE baseline_events (provider_event_id text PRIMARY KEY, type text NOT NULL, payload jsonb NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now())`);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let event: Stripe.Event;
      try {
        event = verifier.webhooks.constructEvent(raw, String(req.headers['stripe-signature'] ?? ''), SECRET);
      } catch {
        res.writeHead(400).end();
        return;
      }
      pool
        .query(`INSERT INTO baseline_events (provider_event_id, type, payload) VALUES ($1, $2, $3::jsonb) ON CONFLICT DO NOTHING`, [
          event.id,
          event.type,
          raw.toString('utf8'),
        ])
        .then(
          () => res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}'),
          () => res.writeHead(500).end(),
        );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, pool, server };
}

async function missing(pool: pg.Pool, table: string, ids: string[]): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE provider_event_id = ANY($1)`, [ids]);
  return ids.length - rows[0].n;
}

async function main(): Promise<number> {
  const { createApp } = await import('../src/app.setup.js');
  const { loadConfig } = await import('../src/config/app-config.js');
  const database = await createTestDatabase('bench_webhooks', serverUrl());
  const databaseUrl = database.url;
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    // The benchmark measures ingestion; processing jobs would call Stripe, which is not running here.
    WORKER_INLINE: 'false',
    STRIPE_SECRET_KEY: 'sk_test_bench',
    STRIPE_WEBHOOK_SECRET: SECRET,
    STRIPE_API_BASE_URL: 'http://127.0.0.1:9',
  });
  const app = await createApp({ config, databaseUrl });
  await app.listen(0, '127.0.0.1');
  const appUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}/api/integrations/payments/webhooks/stripe`;
  const baseline = await startBaseline(databaseUrl, config.database.poolSize);
  const check = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    console.log(`bench:webhooks — ${DURATION_S}s per run, ${CONNECTIONS} connections flat out, then ${FIXED_RATE}/s; database ${database.name}`);
    const baseMax = await inChild(baseline.url, 'b', undefined);
    const appMax = await inChild(appUrl, 'a', undefined);
    const baseFixed = await inChild(baseline.url, 'c', FIXED_RATE);
    const appFixed = await inChild(appUrl, 'd', FIXED_RATE);
    const appMissing = (await missing(check, 'webhook_events', appMax.okIds)) + (await missing(check, 'webhook_events', appFixed.okIds));
    const baseMissing = (await missing(check, 'baseline_events', baseMax.okIds)) + (await missing(check, 'baseline_events', baseFixed.okIds));

    const row = (name: string, r: DriveResult) =>
      `${name.padEnd(24)} ${r.requestsPerSecond.toFixed(0).padStart(8)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(4)} ms   non-2xx ${r.non2xx}   errors ${r.errors}`;
    console.log(row('baseline, flat out', baseMax));
    console.log(row('app, flat out', appMax));
    console.log(row(`baseline, ${FIXED_RATE}/s`, baseFixed));
    console.log(row(`app, ${FIXED_RATE}/s`, appFixed));
    const ratio = appMax.requestsPerSecond / baseMax.requestsPerSecond;
    console.log(`throughput ratio app/baseline: ${ratio.toFixed(2)} (target >= 0.50)`);
    console.log(`app p99 at ${FIXED_RATE}/s: ${appFixed.p99} ms (target < 50 ms)`);
    console.log(`events answered 2xx but missing from the database: app ${appMissing}, baseline ${baseMissing} (target 0)`);
    const met = ratio >= 0.5 && appFixed.p99 < 50 && appMissing === 0 && appFixed.non2xx === 0 && appMax.non2xx === 0;
    console.log(met ? 'TARGET MET' : 'TARGET MISSED');
    return met ? 0 : 1;
  } finally {
    await check.end();
    await new Promise((resolve) => baseline.server.close(resolve));
    await baseline.pool.end();
    await app.close();
    await database.drop();
  }
}

if (process.argv[2] === '--drive') {
  const [, , , url, label, rate] = process.argv;
  drive(url, label, rate ? Number(rate) : undefined).then(
    (result) => process.send!(result, () => process.exit(0)),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
} else {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
