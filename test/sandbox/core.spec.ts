import type { EmulatorDefinition } from '../../sandbox/core/contract.js';
import { EmulatorHarness, ProviderHttpError, startEmulator } from '../../sandbox/core/server.js';

/** a minimal provider: one echo route and a Zoom-like error shape, enough to exercise the harness */
function echoProvider(): EmulatorDefinition & { resets: number; things: unknown[]; settingsSeen: unknown[] } {
  const definition = {
    name: 'zoom' as const,
    defaultQuota: { limit: 1000, windowMs: 60_000 },
    resets: 0,
    things: [] as unknown[],
    settingsSeen: [] as unknown[],
    errorResponse(status: number, message: string) {
      return { body: { code: status, message }, headers: { 'x-provider': 'echo' } };
    },
    register(app: Parameters<EmulatorDefinition['register']>[0]) {
      app.post('/v2/echo', async (request) => ({ echoed: request.body }));
      app.post('/v2/things', async (request, reply) => {
        definition.things.push(request.body);
        return reply.code(201).header('content-location', '/v2/things/1').send({ created: definition.things.length });
      });
      app.get('/v2/teapot', async () => {
        throw new ProviderHttpError(418, { code: 418, message: 'short and stout' });
      });
    },
    reset() {
      definition.resets++;
      definition.things.length = 0;
    },
    applySettings(settings: unknown) {
      definition.settingsSeen.push(settings);
    },
  };
  return definition;
}

async function call(url: string, init?: RequestInit) {
  const response = await fetch(url, init);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

const json = (body: unknown, method = 'POST'): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

describe(EmulatorHarness.name, () => {
  let emulator: EmulatorHarness;
  let provider: ReturnType<typeof echoProvider>;

  beforeAll(async () => {
    provider = echoProvider();
    emulator = await startEmulator(provider, { settings: { accessTokenTtlSeconds: 120 } });
  });
  afterAll(() => emulator.stop());
  beforeEach(() => call(`${emulator.url}/__sandbox/reset`, { method: 'POST' }));

  it('journals provider requests with parsed bodies and statuses, but not control requests', async () => {
    await call(`${emulator.url}/v2/echo?x=1&y=a&y=b`, json({ hello: 'world' }));
    await call(`${emulator.url}/__sandbox/stats`);
    const { body } = await call(`${emulator.url}/__sandbox/journal`);
    expect(body.entries).toHaveLength(1);
    expect(body.entries[0]).toMatchObject({
      seq: expect.any(Number),
      provider: 'zoom',
      method: 'POST',
      path: '/v2/echo',
      query: { x: '1', y: ['a', 'b'] },
      body: { hello: 'world' },
      status: 200,
    });
    expect(body.entries[0].headers['content-type']).toBe('application/json');
    const later = await call(`${emulator.url}/__sandbox/journal?since=${body.entries[0].seq}`);
    expect(later.body.entries).toEqual([]);
  });

  it('answers errors and unknown routes in the provider shape', async () => {
    await expect(call(`${emulator.url}/v2/teapot`)).resolves.toMatchObject({ status: 418, body: { code: 418 } });
    const missing = await call(`${emulator.url}/v2/nothing`);
    expect(missing).toMatchObject({ status: 404, body: { code: 404 } });
    expect(missing.headers.get('x-provider')).toBe('echo');
  });

  it('injects a status fault for the next N matching requests only', async () => {
    const created = await call(`${emulator.url}/__sandbox/faults`, json({ method: 'post', path: '^/v2/echo$', count: 2, status: 503 }));
    expect(created.status).toBe(201);
    await expect(call(`${emulator.url}/v2/teapot`)).resolves.toMatchObject({ status: 418 });
    await expect(call(`${emulator.url}/v2/echo`, json({}))).resolves.toMatchObject({ status: 503, body: { code: 503, message: 'Injected fault' } });
    await expect(call(`${emulator.url}/v2/echo`, json({}))).resolves.toMatchObject({ status: 503 });
    await expect(call(`${emulator.url}/v2/echo`, json({}))).resolves.toMatchObject({ status: 200 });
    await expect(call(`${emulator.url}/__sandbox/stats`)).resolves.toMatchObject({ body: { requests: 4, faultsInjected: 2 } });
    const { body } = await call(`${emulator.url}/__sandbox/journal`);
    expect(body.entries.map((entry: { interceptedBy?: string }) => entry.interceptedBy ?? null)).toEqual([null, 'fault', 'fault', null]);
  });

  it('injects custom bodies, delays and dropped connections', async () => {
    await call(`${emulator.url}/__sandbox/faults`, json({ path: 'echo', status: 500, body: { custom: true }, headers: { 'x-fault': 'yes' } }));
    const custom = await call(`${emulator.url}/v2/echo`, json({}));
    expect(custom).toMatchObject({ status: 500, body: { custom: true } });
    expect(custom.headers.get('x-fault')).toBe('yes');

    await call(`${emulator.url}/__sandbox/faults`, json({ path: 'echo', delayMs: 300 }));
    const started = Date.now();
    await expect(call(`${emulator.url}/v2/echo`, json({ slow: 1 }))).resolves.toMatchObject({ status: 200, body: { echoed: { slow: 1 } } });
    expect(Date.now() - started).toBeGreaterThanOrEqual(280);

    await call(`${emulator.url}/__sandbox/faults`, json({ path: 'echo', drop: true }));
    await expect(fetch(`${emulator.url}/v2/echo`, json({}))).rejects.toThrow();
    await expect(call(`${emulator.url}/v2/echo`, json({}))).resolves.toMatchObject({ status: 200 });
  });

  it('loses the answer of a handled request with after: the state changes, the client sees the fault or a dropped connection', async () => {
    await call(`${emulator.url}/__sandbox/faults`, json({ method: 'POST', path: '/things$', status: 500, after: true }));
    const lost = await call(`${emulator.url}/v2/things`, json({ n: 1 }));
    expect(lost).toMatchObject({ status: 500, body: { code: 500, message: 'Injected fault' } });
    expect(lost.headers.get('x-provider')).toBe('echo');
    expect(lost.headers.get('content-location')).toBeNull();
    expect(provider.things).toEqual([{ n: 1 }]);

    await call(`${emulator.url}/__sandbox/faults`, json({ method: 'POST', path: '/things$', drop: true, after: true }));
    await expect(fetch(`${emulator.url}/v2/things`, json({ n: 2 }))).rejects.toThrow();
    expect(provider.things).toEqual([{ n: 1 }, { n: 2 }]);

    await expect(call(`${emulator.url}/v2/things`, json({ n: 3 }))).resolves.toMatchObject({ status: 201, body: { created: 3 } });
    await expect(call(`${emulator.url}/__sandbox/stats`)).resolves.toMatchObject({ body: { requests: 3, faultsInjected: 2 } });
    const { body } = await call(`${emulator.url}/__sandbox/journal`);
    expect(body.entries[0]).toMatchObject({ status: 500, interceptedBy: 'fault' });
  });

  it('rejects a malformed fault pattern', async () => {
    await expect(call(`${emulator.url}/__sandbox/faults`, json({ path: '(' }))).resolves.toMatchObject({ status: 400 });
  });

  it('enforces the quota with 429 and Retry-After in the provider shape, on the sandbox clock', async () => {
    await expect(call(`${emulator.url}/__sandbox/quota`, json({ limit: 2, windowMs: 60_000 }, 'PUT'))).resolves.toMatchObject({ status: 200 });
    await call(`${emulator.url}/v2/echo`, json({}));
    await call(`${emulator.url}/v2/echo`, json({}));
    const limited = await call(`${emulator.url}/v2/echo`, json({}));
    expect(limited).toMatchObject({ status: 429, body: { code: 429, message: 'Rate limit exceeded' } });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(59);
    expect(limited.headers.get('x-provider')).toBe('echo');
    await expect(call(`${emulator.url}/__sandbox/stats`)).resolves.toMatchObject({ body: { requests: 3, rateLimited: 1 } });

    await call(`${emulator.url}/__sandbox/clock/advance`, json({ seconds: 61 }));
    await expect(call(`${emulator.url}/v2/echo`, json({}))).resolves.toMatchObject({ status: 200 });
  });

  it('advances the clock and keeps settings until reset', async () => {
    const before = emulator.now();
    const advanced = await call(`${emulator.url}/__sandbox/clock/advance`, json({ seconds: 3600 }));
    expect(Date.parse(advanced.body.now) - before).toBeGreaterThanOrEqual(3_600_000);
    expect(emulator.context.accessTokenTtlSeconds()).toBe(120);

    const settings = await call(`${emulator.url}/__sandbox/settings`, json({ accessTokenTtlSeconds: 5, hipaa: true }, 'PUT'));
    expect(settings.body).toEqual({ accessTokenTtlSeconds: 5, hipaa: true });
    expect(emulator.context.accessTokenTtlSeconds()).toBe(5);
    expect(provider.settingsSeen.at(-1)).toEqual({ accessTokenTtlSeconds: 5, hipaa: true });

    const resets = provider.resets;
    await call(`${emulator.url}/__sandbox/reset`, { method: 'POST' });
    expect(provider.resets).toBe(resets + 1);
    expect(emulator.context.accessTokenTtlSeconds()).toBe(120);
    expect(emulator.now() - Date.now()).toBeLessThan(1000);
    await expect(call(`${emulator.url}/__sandbox/quota`)).resolves.toMatchObject({ body: { limit: 1000, windowMs: 60_000 } });
  });

  it('records activities for the inspection page', async () => {
    emulator.context.recordActivity({ kind: 'delivery', summary: 'POST http://example.test -> 200' });
    const { body } = await call(`${emulator.url}/__sandbox/activities`);
    expect(body.activities).toEqual([expect.objectContaining({ provider: 'zoom', kind: 'delivery', summary: 'POST http://example.test -> 200' })]);
  });
});
