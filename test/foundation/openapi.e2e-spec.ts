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

  it("documents every endpoint of the user's description (the seed)", () => {
    const seed: Array<[string, string]> = [
      ['post', '/api/integrations/calendar/{provider}/connect'],
      ['post', '/api/integrations/calendar/events'],
      ['post', '/api/integrations/calendar/sessions/{sessionId}/sync'],
      ['get', '/api/integrations/calendar/integrations'],
      ['delete', '/api/integrations/calendar/{provider}/disconnect'],
      ['post', '/api/integrations/payments/sessions/{sessionId}/intent'],
      ['post', '/api/integrations/payments/subscriptions'],
      ['get', '/api/integrations/payments/history'],
      ['delete', '/api/integrations/payments/subscriptions/{subscriptionId}'],
      ['get', '/api/integrations/payments/subscriptions'],
      ['post', '/api/integrations/payments/webhooks/stripe'],
      ['post', '/api/integrations/video/sessions/{sessionId}/{provider}'],
      ['get', '/api/integrations/video/sessions/{sessionId}/meeting'],
      ['put', '/api/integrations/video/sessions/{sessionId}/meeting'],
      ['delete', '/api/integrations/video/sessions/{sessionId}/meeting/{provider}'],
      ['post', '/api/integrations/video/sessions/{sessionId}/reminders'],
      ['get', '/api/integrations/video/sessions/{sessionId}/participants'],
      ['get', '/api/integrations/video/sessions/{sessionId}/recording'],
    ];
    const missing = seed.filter(([method, path]) => !document.paths[path]?.[method]);
    expect(missing).toEqual([]);
    // Provider webhooks authenticate by signature, not by our JWT.
    expect(document.paths['/api/integrations/payments/webhooks/stripe'].post.security).toBeUndefined();
  });

  it('generates DTO schemas from the TypeScript types (Swagger CLI plugin)', () => {
    const create = document.components.schemas.CreateSessionDto;
    expect(Object.keys(create.properties ?? {})).toEqual(expect.arrayContaining(['clientId', 'therapistId', 'startTime', 'endTime', 'timezone']));
    expect(document.components.schemas.ErrorEnvelopeDto).toBeDefined();
  });
});
