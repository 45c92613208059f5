import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import type { JournalEntry } from '../../sandbox/core/contract.js';
import { startSandbox, type Sandbox } from '../../sandbox/index.js';
import { createCast, startTestApp, type TestApp } from '../support/test-app.js';

export type Cast = Awaited<ReturnType<typeof createCast>>;

export const ZOOM_WEBHOOK_SECRET = 'sandbox-zoom-webhook-secret';

export interface VideoKit {
  t: TestApp;
  sandbox: Sandbox;
  cast: Cast;
  /** the app's own origin (it listens, so emulators can deliver webhooks) */
  appUrl: string;
  close(): Promise<void>;
}

/** The app on a fresh database with workers in-process, against the Zoom and Microsoft emulators and the SMTP catcher. */
export async function startVideoKit(env: Record<string, string> = {}): Promise<VideoKit> {
  const sandbox = await startSandbox({ providers: ['zoom', 'microsoft'], page: false });
  const t = await startTestApp({ ...sandbox.env(), WORKER_INLINE: 'true', ...env });
  await t.app.listen(0, '127.0.0.1');
  const { port } = t.app.getHttpServer().address() as AddressInfo;
  const cast = await createCast(t);
  return {
    t,
    sandbox,
    cast,
    appUrl: `http://127.0.0.1:${port}`,
    async close() {
      await t.close();
      await sandbox.stop();
    },
  };
}

import { auth } from '../support/test-app.js';
export { auth };

export async function waitFor<T>(probe: () => Promise<T | undefined | null | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

export async function journal(sandbox: Sandbox, provider: 'zoom' | 'microsoft', since = 0): Promise<JournalEntry[]> {
  return (await sandbox.control(provider).journal(since)).entries;
}

export async function lastSeq(sandbox: Sandbox, provider: 'zoom' | 'microsoft'): Promise<number> {
  const entries = await journal(sandbox, provider);
  return entries.at(-1)?.seq ?? 0;
}

export async function count(t: TestApp, table: string): Promise<number> {
  const [row] = (await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM ${table}`)) as Array<{ n: number }>;
  return row.n;
}

/** A session starting `hoursAhead` from now (whole minutes), 50 minutes long. */
export async function sessionIn(t: TestApp, therapistToken: string, clientId: string, hoursAhead: number, timezone = 'Europe/Berlin') {
  const start = new Date(Date.now() + hoursAhead * 3_600_000);
  start.setUTCSeconds(0, 0);
  const end = new Date(start.getTime() + 50 * 60_000);
  const response = await t.http
    .post('/api/sessions')
    .set(auth(therapistToken))
    .send({ clientId, startTime: start.toISOString(), endTime: end.toISOString(), timezone })
    .expect(201);
  return response.body.data as { id: string; startTime: string; endTime: string };
}
