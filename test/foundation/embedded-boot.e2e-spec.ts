import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createApp } from '../../src/app.setup.js';
import { loadConfig } from '../../src/config/app-config.js';
import { locateDatabase } from '../../src/database/database-location.js';

describe('boot without DATABASE_URL (e2e)', () => {
  it('starts an embedded PostgreSQL, migrates it and serves a login for the sandbox admin', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'embedded-pg-'));
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', WORKER_INLINE: 'false', EMBEDDED_PG_DATA_DIR: dataDir, EMBEDDED_PG_PORT: '0' });
    const database = await locateDatabase(config);
    expect(database.embedded).toBe(true);
    const app = await createApp({ config, databaseUrl: database.url });
    try {
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      const http = request(app.getHttpServer());
      await http.get('/api/health/ready').expect(200);
      const login = await http.post('/api/auth/login').send({ email: config.auth.admin!.email, password: config.auth.admin!.password }).expect(200);
      expect(login.body.data.accessToken).toEqual(expect.any(String));
    } finally {
      await app.close();
      await database.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
});
