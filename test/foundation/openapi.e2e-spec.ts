import { startTestApp, type TestApp } from '../support/test-app.js';

describe('OpenAPI document (e2e)', () => {
  let t: TestApp;
  let document: {
    paths: Record<string, Record<string, { security?: unknown[]; responses: Record<string, unknown>; requestBody?: unknown }>>;
    components: { schemas: Record<string, { properties?: Record<string, unknown> }>; securitySchemes: Record<string, unknown> };
  };

  beforeAll(async () => {
    t = await startTestApp();
    document = (await t.http.get('/api/docs-json').expect(200)).body;
  });
  afterAll(() => t.close());

  it('serves Swagger UI at /api/docs', async () => {
    const page = await t.http.get('/api/docs').redirects(1).expect(200);
    expect(page.text).toContain('swagger-ui');
  });

  it('describes the foundation endpoints with bearer auth and the error envelope', () => {
    expect(Object.keys(document.components.securitySchemes)).toContain('bearer');
    for (const [path, method] of [
      ['/api/auth/login', 'post'],
      ['/api/users', 'post'],
      ['/api/users/me', 'get'],
      ['/api/sessions', 'post'],
      ['/api/sessions', 'get'],
      ['/api/sessions/{id}', 'get'],
      ['/api/sessions/{id}', 'patch'],
      ['/api/sessions/{id}', 'delete'],
      ['/api/health/ready', 'get'],
    ]) {
      expect(document.paths[path]?.[method]).toBeDefined();
    }
    expect(document.paths['/api/sessions'].post.security).toEqual([{ bearer: [] }]);
    expect(document.paths['/api/sessions'].post.responses['401']).toBeDefined();
    expect(document.paths['/api/auth/login'].post.security).toBeUndefined();
  });

  it('generates DTO schemas from the TypeScript types (Swagger CLI plugin)', () => {
    const create = document.components.schemas.CreateSessionDto;
    expect(Object.keys(create.properties ?? {})).toEqual(expect.arrayContaining(['clientId', 'therapistId', 'startTime', 'endTime', 'timezone']));
    expect(document.components.schemas.ErrorEnvelopeDto).toBeDefined();
  });
});
