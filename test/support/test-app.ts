import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createApp } from '../../src/app.setup.js';
import { loadConfig, SANDBOX_ADMIN, type AppConfig } from '../../src/config/app-config.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  app: NestFastifyApplication;
  config: AppConfig;
  db: TestDatabase;
  http: ReturnType<typeof request>;
  close(): Promise<void>;
}

/**
 * The real application on a fresh database of the test server, configured from `env` on top of quiet test defaults.
 * Requests go over HTTP through supertest.
 */
export async function startTestApp(env: Record<string, string | undefined> = {}): Promise<TestApp> {
  const db = await createTestDatabase('app');
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    WORKER_INLINE: 'false',
    LOGIN_IP_RATE_LIMIT: '10000',
    ...env,
  });
  const app = await createApp({ config, databaseUrl: db.url });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return {
    app,
    config,
    db,
    http: request(app.getHttpServer()),
    async close() {
      await app.close();
      await db.drop();
    },
  };
}

export const ADMIN = SANDBOX_ADMIN;

/** The Authorization header of a bearer token. */
export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

export async function login(testApp: TestApp, email: string, password: string): Promise<string> {
  const response = await testApp.http.post('/api/auth/login').send({ email, password }).expect(200);
  return response.body.data.accessToken as string;
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
}

let counter = 0;

/** Creates a user through the admin API and logs them in. */
export async function createUser(
  testApp: TestApp,
  adminToken: string,
  role: 'client' | 'therapist' | 'admin',
  extra: { therapistId?: string; timeZone?: string } = {},
): Promise<TestUser> {
  counter += 1;
  const email = `${role}${counter}.${Date.now().toString(36)}@example.test`;
  const password = `Password-${counter}-long-enough`;
  const response = await testApp.http
    .post('/api/users')
    .set('authorization', `Bearer ${adminToken}`)
    .send({ email, name: `${role} ${counter}`, role, timeZone: extra.timeZone ?? 'Europe/Berlin', password, ...(extra.therapistId ? { therapistId: extra.therapistId } : {}) })
    .expect(201);
  return { id: response.body.data.id, email, password, token: await login(testApp, email, password) };
}

/** An admin, two therapists and a client of each: the cast of most ownership tests. */
export async function createCast(testApp: TestApp) {
  const adminToken = await login(testApp, ADMIN.email, ADMIN.password);
  const therapist = await createUser(testApp, adminToken, 'therapist');
  const otherTherapist = await createUser(testApp, adminToken, 'therapist');
  const client = await createUser(testApp, adminToken, 'client', { therapistId: therapist.id });
  const otherClient = await createUser(testApp, adminToken, 'client', { therapistId: otherTherapist.id });
  return { adminToken, therapist, otherTherapist, client, otherClient };
}

/** A session between `therapist` and `client`, starting `daysAhead` days from now, 50 minutes long. */
export async function createSession(
  testApp: TestApp,
  therapistToken: string,
  clientId: string,
  options: { daysAhead?: number; timezone?: string } = {},
): Promise<{ id: string; startTime: string; endTime: string }> {
  const start = new Date(Date.now() + (options.daysAhead ?? 3) * 86_400_000);
  start.setUTCMinutes(0, 0, 0);
  const end = new Date(start.getTime() + 50 * 60_000);
  const response = await testApp.http
    .post('/api/sessions')
    .set('authorization', `Bearer ${therapistToken}`)
    .send({ clientId, startTime: start.toISOString(), endTime: end.toISOString(), timezone: options.timezone ?? 'Europe/Berlin' })
    .expect(201);
  return response.body.data;
}
