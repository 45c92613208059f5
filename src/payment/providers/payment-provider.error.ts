import { HttpStatus } from '@nestjs/common';
import { AppException } from '../../common/app-exception.js';
import type { ProviderFailure } from './payment-provider.js';

const STATUS: Record<ProviderFailure, HttpStatus> = {
  TEMPORARY: HttpStatus.BAD_GATEWAY,
  RATE_LIMITED: HttpStatus.SERVICE_UNAVAILABLE,
  AUTH_REVOKED: HttpStatus.BAD_GATEWAY,
  NOT_FOUND: HttpStatus.BAD_REQUEST,
  INVALID_REQUEST: HttpStatus.BAD_REQUEST,
  CARD_DECLINED: HttpStatus.PAYMENT_REQUIRED,
  IDEMPOTENCY_CONFLICT: HttpStatus.UNPROCESSABLE_ENTITY,
  UNKNOWN: HttpStatus.BAD_GATEWAY,
};

/** A provider call failed; `failure` says whether retrying can help. The message is safe to show. */
export class PaymentProviderError extends AppException {
  constructor(
    readonly failure: ProviderFailure,
    message: string,
    readonly retryAfterSeconds?: number,
    cause?: unknown,
  ) {
    super(`PROVIDER_${failure}`, message, { status: STATUS[failure], cause });
  }

  get retryable(): boolean {
    return this.failure === 'TEMPORARY' || this.failure === 'RATE_LIMITED' || this.failure === 'UNKNOWN';
  }

  /** The same failure under a use case's code (the seed's PAYMENT_INTENT_ERROR, SUBSCRIPTION_ERROR, ...). */
  as(code: string, message = this.message): AppException {
    return new AppException(code, message, { status: this.status, cause: this, details: { reason: this.failure } });
  }
}
