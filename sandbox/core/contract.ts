/**
 * The contract every provider emulator implements. The core (server.ts) gives each emulator its own Fastify
 * instance on its own port and wraps it with the shared behaviour: request journal, injected faults, quota
 * (429 + Retry-After in the provider's shape) and the control API under /__sandbox/.
 * Emulators only describe their provider: routes, error shape and default quota.
 */
import type { FastifyInstance } from 'fastify';

export type ProviderName = 'stripe' | 'google' | 'microsoft' | 'zoom';

export interface QuotaSettings {
  /** requests allowed per window; the seed's "Rate Limits" are the defaults */
  limit: number;
  windowMs: number;
}

export interface JournalEntry {
  seq: number;
  at: string;
  provider: ProviderName;
  method: string;
  path: string;
  query: Record<string, string | string[]>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  status?: number;
  /** set when the core answered instead of the emulator: 'quota' | 'fault' */
  interceptedBy?: 'quota' | 'fault';
}

export interface SandboxActivity {
  at: string;
  provider: ProviderName;
  kind: 'event' | 'delivery' | 'email';
  summary: string;
  detail?: unknown;
}

export interface EmulatorContext {
  /** origin the emulator is reachable at, e.g. http://127.0.0.1:4010 (known once listening) */
  baseUrl(): string;
  /** the sandbox clock in ms; tests may advance it through the control API */
  now(): number;
  /** access-token lifetime for OAuth emulators, seconds */
  accessTokenTtlSeconds(): number;
  /** records an event, an outbound delivery or an email for the inspection page */
  recordActivity(activity: Omit<SandboxActivity, 'at' | 'provider'>): void;
  /** current settings (startup options merged with `PUT /__sandbox/settings`) */
  settings(): SandboxSettings;
}

export interface EmulatorDefinition {
  name: ProviderName;
  defaultQuota: QuotaSettings;
  /** the provider's own error body (and headers) for a status: used by the core for 429 quota and faults */
  errorResponse(status: number, message: string): { body: unknown; headers?: Record<string, string> };
  /** registers the provider's routes on the emulator's own Fastify instance */
  register(app: FastifyInstance, ctx: EmulatorContext): void | Promise<void>;
  /** forgets all state (control API: POST /__sandbox/reset) */
  reset(): void;
  /**
   * Provider-specific settings from startSandbox options or `PUT /__sandbox/settings` (the core keeps
   * accessTokenTtlSeconds itself and passes every setting here, merged with the earlier ones).
   */
  applySettings?(settings: SandboxSettings): void;
}

export interface SandboxSettings {
  accessTokenTtlSeconds?: number;
  [setting: string]: unknown;
}
