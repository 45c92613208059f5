/**
 * The harness around one provider emulator: its own Fastify instance and port, the request journal, quota,
 * injected faults, the sandbox clock, settings and the control API under /__sandbox/.
 *
 *   const emulator = await startEmulator(createGoogleEmulator(), { port: 0 });
 *   emulator.url            // http://127.0.0.1:<port>
 *   await emulator.stop();
 *
 * Emulators throw ProviderHttpError (or answer themselves) for provider errors; anything else thrown becomes the
 * provider's own error body through EmulatorDefinition.errorResponse, as do unknown routes (404).
 */
import { fastify, type FastifyInstance, type FastifyRequest } from 'fastify';
import type {
  EmulatorContext,
  EmulatorDefinition,
  JournalEntry,
  QuotaSettings,
  SandboxActivity,
  SandboxSettings,
} from './contract.js';

export const CONTROL_PREFIX = '/__sandbox/';
const JOURNAL_LIMIT = 5000;
const ACTIVITY_LIMIT = 1000;
const DEFAULT_ACCESS_TOKEN_TTL_SECONDS = 3600;

/** A provider error with its exact wire body; the harness sends it as is. */
export class ProviderHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`provider error ${status}`);
  }
}

export interface FaultSpec {
  /** HTTP method to match (any when omitted) */
  method?: string;
  /** regular expression source matched against the request path (without query) */
  path?: string;
  /** how many matching requests the fault applies to (default 1) */
  count?: number;
  /** answer with this status; without it (and without drop) the request is only delayed, then served */
  status?: number;
  /** body to answer with; default the provider's own error body for the status */
  body?: unknown;
  headers?: Record<string, string>;
  delayMs?: number;
  /** destroy the connection without answering (after delayMs) */
  drop?: boolean;
  /**
   * let the emulator handle the request first (its state changes stick), then replace the answer with `status`/`body`
   * or drop the connection: a lost answer, the case that tempts a client into doing the thing twice
   */
  after?: boolean;
}

interface ActiveFault extends FaultSpec {
  id: number;
  remaining: number;
  pattern?: RegExp;
}

export interface EmulatorStats {
  requests: number;
  rateLimited: number;
  faultsInjected: number;
}

export interface EmulatorOptions {
  host?: string;
  /** 0 (default) picks an ephemeral port */
  port?: number;
  settings?: SandboxSettings;
  quota?: QuotaSettings;
  /** called for every recorded activity, e.g. to feed the inspection page */
  onActivity?: (activity: SandboxActivity) => void;
}

export class EmulatorHarness {
  readonly app: FastifyInstance;
  private readonly initialSettings: SandboxSettings;
  private readonly initialQuota: QuotaSettings;
  private currentSettings: SandboxSettings;
  private quota: QuotaSettings;
  private quotaWindowStart = 0;
  private quotaUsed = 0;
  private clockOffsetMs = 0;
  private journalEntries: JournalEntry[] = [];
  private activityLog: SandboxActivity[] = [];
  private faults: ActiveFault[] = [];
  private seq = 0;
  private faultSeq = 0;
  private counters: EmulatorStats = { requests: 0, rateLimited: 0, faultsInjected: 0 };
  private readonly entryOf = new WeakMap<FastifyRequest, JournalEntry>();
  private readonly answerLostBy = new WeakMap<FastifyRequest, ActiveFault>();
  private origin = '';
  readonly context: EmulatorContext;

  constructor(
    readonly definition: EmulatorDefinition,
    private readonly options: EmulatorOptions = {},
  ) {
    this.initialSettings = { accessTokenTtlSeconds: DEFAULT_ACCESS_TOKEN_TTL_SECONDS, ...options.settings };
    this.currentSettings = { ...this.initialSettings };
    this.initialQuota = options.quota ?? definition.defaultQuota;
    this.quota = { ...this.initialQuota };
    this.app = fastify({ logger: false, forceCloseConnections: true });
    this.context = {
      baseUrl: () => this.origin,
      now: () => this.now(),
      accessTokenTtlSeconds: () => Number(this.currentSettings.accessTokenTtlSeconds ?? DEFAULT_ACCESS_TOKEN_TTL_SECONDS),
      recordActivity: (activity) => this.recordActivity(activity),
      settings: () => ({ ...this.currentSettings }),
    };
  }

  get name() {
    return this.definition.name;
  }

  get url() {
    return this.origin;
  }

  now(): number {
    return Date.now() + this.clockOffsetMs;
  }

  async listen(): Promise<string> {
    this.installHooks();
    this.installControlRoutes();
    await this.definition.register(this.app, this.context);
    this.definition.applySettings?.({ ...this.currentSettings });
    await this.app.listen({ host: this.options.host ?? '127.0.0.1', port: this.options.port ?? 0 });
    const address = this.app.server.address();
    if (!address || typeof address === 'string') throw new Error('emulator did not bind a TCP port');
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.origin = `http://${host}:${address.port}`;
    return this.origin;
  }

  async stop(): Promise<void> {
    await this.app.close();
  }

  journal(since = 0): JournalEntry[] {
    return this.journalEntries.filter((entry) => entry.seq > since);
  }

  activities(): SandboxActivity[] {
    return [...this.activityLog];
  }

  stats(): EmulatorStats {
    return { ...this.counters };
  }

  settings(): SandboxSettings {
    return { ...this.currentSettings };
  }

  quotaSettings(): QuotaSettings {
    return { ...this.quota };
  }

  reset(): void {
    this.journalEntries = [];
    this.activityLog = [];
    this.faults = [];
    this.counters = { requests: 0, rateLimited: 0, faultsInjected: 0 };
    this.quota = { ...this.initialQuota };
    this.quotaUsed = 0;
    this.quotaWindowStart = 0;
    this.clockOffsetMs = 0;
    this.currentSettings = { ...this.initialSettings };
    this.definition.reset();
    this.definition.applySettings?.({ ...this.currentSettings });
  }

  addFault(spec: FaultSpec): number {
    const id = ++this.faultSeq;
    this.faults.push({
      ...spec,
      id,
      remaining: spec.count ?? 1,
      pattern: spec.path ? new RegExp(spec.path) : undefined,
    });
    return id;
  }

  setQuota(quota: QuotaSettings): void {
    this.quota = { limit: quota.limit, windowMs: quota.windowMs };
    this.quotaUsed = 0;
    this.quotaWindowStart = 0;
  }

  advanceClock(seconds: number): number {
    this.clockOffsetMs += seconds * 1000;
    return this.now();
  }

  applySettings(settings: SandboxSettings): SandboxSettings {
    this.currentSettings = { ...this.currentSettings, ...settings };
    this.definition.applySettings?.({ ...this.currentSettings });
    return this.settings();
  }

  recordActivity(activity: Omit<SandboxActivity, 'at' | 'provider'>): void {
    const full: SandboxActivity = { ...activity, at: new Date(this.now()).toISOString(), provider: this.name };
    this.activityLog.push(full);
    if (this.activityLog.length > ACTIVITY_LIMIT) this.activityLog.shift();
    this.options.onActivity?.(full);
  }

  private installHooks(): void {
    this.app.addHook('onRequest', async (request) => {
      if (isControl(request)) return;
      const url = new URL(request.url, 'http://sandbox');
      const entry: JournalEntry = {
        seq: ++this.seq,
        at: new Date(this.now()).toISOString(),
        provider: this.name,
        method: request.method,
        path: url.pathname,
        query: queryOf(url),
        headers: { ...request.headers },
        body: undefined,
      };
      this.entryOf.set(request, entry);
      this.journalEntries.push(entry);
      if (this.journalEntries.length > JOURNAL_LIMIT) this.journalEntries.shift();
    });

    // preHandler runs after body parsing, so faults and quota see (and the journal keeps) the parsed body.
    this.app.addHook('preHandler', async (request, reply) => {
      if (isControl(request)) return;
      const entry = this.entryOf.get(request);
      if (entry) entry.body = request.body;
      this.counters.requests++;

      const fault = this.takeFault(request, entry?.path ?? request.url);
      if (fault) {
        this.counters.faultsInjected++;
        if (entry) entry.interceptedBy = 'fault';
        if (fault.after) this.answerLostBy.set(request, fault);
      }
      if (fault && !fault.after) {
        if (fault.delayMs) await sleep(fault.delayMs);
        if (fault.drop) {
          reply.hijack();
          request.raw.socket.destroy();
          return reply;
        }
        if (fault.status !== undefined) {
          const provider = this.definition.errorResponse(fault.status, 'Injected fault');
          reply.code(fault.status).headers({ ...provider.headers, ...fault.headers });
          return reply.send(fault.body ?? provider.body);
        }
        if (entry) entry.interceptedBy = undefined;
      }

      const retryAfter = this.consumeQuota();
      if (retryAfter !== undefined) {
        this.counters.rateLimited++;
        if (entry) entry.interceptedBy = 'quota';
        const provider = this.definition.errorResponse(429, 'Rate limit exceeded');
        reply.code(429).headers({ ...provider.headers, 'retry-after': String(retryAfter) });
        return reply.send(provider.body);
      }
    });

    this.app.addHook('onSend', async (request, reply, payload) => {
      const fault = this.answerLostBy.get(request);
      if (!fault) return payload;
      this.answerLostBy.delete(request);
      if (fault.delayMs) await sleep(fault.delayMs);
      if (fault.drop) {
        request.raw.socket.destroy();
        return payload;
      }
      if (fault.status === undefined) return payload;
      const provider = this.definition.errorResponse(fault.status, 'Injected fault');
      reply.removeHeader('content-location');
      reply.removeHeader('location');
      reply.code(fault.status).headers({ ...provider.headers, ...fault.headers, 'content-type': 'application/json; charset=utf-8' });
      return JSON.stringify(fault.body ?? provider.body);
    });

    this.app.addHook('onResponse', async (request, reply) => {
      const entry = this.entryOf.get(request);
      if (!entry) return;
      entry.status = reply.statusCode;
      if (entry.body === undefined && request.body !== undefined) entry.body = request.body;
    });

    this.app.setErrorHandler((error: unknown, _request, reply) => {
      if (error instanceof ProviderHttpError) {
        return reply.code(error.status).headers(error.headers).send(error.body);
      }
      const status = statusOf(error);
      const message = status >= 500 ? 'Internal error' : errorMessage(error);
      const provider = this.definition.errorResponse(status, message);
      return reply.code(status).headers(provider.headers ?? {}).send(provider.body);
    });

    this.app.setNotFoundHandler((request, reply) => {
      const provider = this.definition.errorResponse(404, `Not found: ${request.method} ${request.url.split('?')[0]}`);
      return reply.code(404).headers(provider.headers ?? {}).send(provider.body);
    });
  }

  private takeFault(request: FastifyRequest, path: string): ActiveFault | undefined {
    const fault = this.faults.find(
      (candidate) =>
        (!candidate.method || candidate.method.toUpperCase() === request.method) &&
        (!candidate.pattern || candidate.pattern.test(path)),
    );
    if (!fault) return undefined;
    fault.remaining--;
    if (fault.remaining <= 0) this.faults = this.faults.filter((candidate) => candidate !== fault);
    return fault;
  }

  /** a fixed window on the sandbox clock; answers the Retry-After seconds when over quota */
  private consumeQuota(): number | undefined {
    const now = this.now();
    if (now - this.quotaWindowStart >= this.quota.windowMs || now < this.quotaWindowStart) {
      this.quotaWindowStart = now;
      this.quotaUsed = 0;
    }
    if (this.quotaUsed >= this.quota.limit) {
      return Math.max(1, Math.ceil((this.quotaWindowStart + this.quota.windowMs - now) / 1000));
    }
    this.quotaUsed++;
    return undefined;
  }

  private installControlRoutes(): void {
    const app = this.app;
    const prefix = CONTROL_PREFIX;
    app.post(`${prefix}reset`, async () => {
      this.reset();
      return { ok: true };
    });
    app.get<{ Querystring: { since?: string } }>(`${prefix}journal`, async (request) => ({
      entries: this.journal(Number(request.query.since ?? 0)),
    }));
    app.get(`${prefix}activities`, async () => ({ activities: this.activities() }));
    app.post<{ Body: FaultSpec }>(`${prefix}faults`, async (request, reply) => {
      const spec = request.body ?? {};
      if (spec.path) {
        try {
          new RegExp(spec.path);
        } catch {
          return reply.code(400).send({ error: 'path is not a valid regular expression' });
        }
      }
      return reply.code(201).send({ id: this.addFault(spec) });
    });
    app.delete(`${prefix}faults`, async () => {
      this.faults = [];
      return { ok: true };
    });
    app.get(`${prefix}quota`, async () => this.quotaSettings());
    app.put<{ Body: Partial<QuotaSettings> }>(`${prefix}quota`, async (request, reply) => {
      const { limit, windowMs } = request.body ?? {};
      if (!(Number(limit) >= 0) || !(Number(windowMs) > 0)) {
        return reply.code(400).send({ error: 'limit >= 0 and windowMs > 0 are required' });
      }
      this.setQuota({ limit: Number(limit), windowMs: Number(windowMs) });
      return this.quotaSettings();
    });
    app.get(`${prefix}stats`, async () => this.stats());
    app.get(`${prefix}clock`, async () => ({ now: new Date(this.now()).toISOString(), offsetMs: this.clockOffsetMs }));
    app.post<{ Body: { seconds?: number } }>(`${prefix}clock/advance`, async (request, reply) => {
      const seconds = Number(request.body?.seconds);
      if (!Number.isFinite(seconds)) return reply.code(400).send({ error: 'seconds is required' });
      this.advanceClock(seconds);
      return { now: new Date(this.now()).toISOString(), offsetMs: this.clockOffsetMs };
    });
    app.get(`${prefix}settings`, async () => this.settings());
    app.put<{ Body: SandboxSettings }>(`${prefix}settings`, async (request) => this.applySettings(request.body ?? {}));
  }
}

export async function startEmulator(definition: EmulatorDefinition, options: EmulatorOptions = {}): Promise<EmulatorHarness> {
  const harness = new EmulatorHarness(definition, options);
  await harness.listen();
  return harness;
}

function isControl(request: FastifyRequest): boolean {
  return request.url.startsWith(CONTROL_PREFIX);
}

function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const values = url.searchParams.getAll(key);
    query[key] = values.length === 1 ? values[0] : values;
  }
  return query;
}

function statusOf(error: unknown): number {
  const status = (error as { statusCode?: unknown })?.statusCode;
  return typeof status === 'number' && status >= 400 && status < 600 ? status : 500;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : 'Bad request';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
