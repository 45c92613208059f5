import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/app-exception.js';

/** The error parsers' vocabulary: what went wrong at a provider, deciding retry, re-authorisation or giving up. */
export type ProviderFailureKind = 'TEMPORARY' | 'RATE_LIMITED' | 'AUTH_REVOKED' | 'NOT_FOUND' | 'CONFLICT' | 'INVALID_REQUEST' | 'UNKNOWN';

export class CalendarProviderError extends Error {
  override readonly name = 'CalendarProviderError';

  constructor(
    readonly kind: ProviderFailureKind,
    readonly provider: string,
    /** the provider's own reason, safe to show (no tokens, no bodies we sent) */
    readonly reason: string,
    readonly retryAfter?: string | null,
    cause?: unknown,
  ) {
    super(`${provider} ${kind}: ${reason}`, { cause });
  }

  get retryable(): boolean {
    return this.kind === 'TEMPORARY' || this.kind === 'RATE_LIMITED';
  }
}

export function calendarNotConnected(provider: string): AppException {
  return new AppException('CALENDAR_NOT_CONNECTED', `No ${provider} calendar is connected`, { status: HttpStatus.NOT_FOUND });
}
