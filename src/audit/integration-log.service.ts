import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { AppException } from '../common/app-exception.js';
import { IntegrationLog } from './integration-log.entity.js';

export interface ProviderCall {
  userId?: string | null;
  provider: string;
  action: string;
  sessionId?: string | null;
  details?: Record<string, unknown>;
}

/** Writes the seed's integration_logs: one row per provider call, success or failure, with its duration. */
@Injectable()
export class IntegrationLogService {
  private readonly logger = new Logger(IntegrationLogService.name);

  constructor(@InjectRepository(IntegrationLog) private readonly logs: Repository<IntegrationLog>) {}

  /** Runs a provider call, timing it and logging the outcome; the call's own result or error passes through. */
  async track<T>(call: ProviderCall, run: () => Promise<T>): Promise<T> {
    const started = performance.now();
    try {
      const result = await run();
      await this.write(call, 'success', null, started);
      return result;
    } catch (error) {
      const code = error instanceof AppException ? error.code : 'UNKNOWN';
      await this.write(call, 'failure', code, started);
      throw error;
    }
  }

  private async write(call: ProviderCall, status: 'success' | 'failure', errorCode: string | null, started: number) {
    try {
      await this.logs.insert({
        userId: call.userId ?? null,
        provider: call.provider,
        action: call.action,
        status,
        errorCode,
        durationMs: Math.round(performance.now() - started),
        sessionId: call.sessionId ?? null,
        details: (call.details ?? null) as IntegrationLog['details'] & object,
      });
    } catch (error) {
      // An audit write must not turn a provider success into a failure; it is reported, not swallowed.
      this.logger.error({ err: error, provider: call.provider, action: call.action }, 'integration log write failed');
    }
  }
}
