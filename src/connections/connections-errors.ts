import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/app-exception.js';
import { PermanentJobError } from '../jobs/index.js';
import type { ConnectionProvider } from './connection.entity.js';

/** Codes of the connections mechanism (statuses passed explicitly: they are not in ERROR_STATUS). */
export const ConnectionErrorCodes = {
  CONNECTION_NOT_FOUND: HttpStatus.NOT_FOUND,
  CONNECTION_NEEDS_REAUTH: HttpStatus.CONFLICT,
  INVALID_OAUTH_STATE: HttpStatus.BAD_REQUEST,
} as const;

export function connectionNotFound(provider: string): AppException {
  return new AppException('CONNECTION_NOT_FOUND', `No ${provider} account is connected`, {
    status: ConnectionErrorCodes.CONNECTION_NOT_FOUND,
  });
}

export function invalidOAuthState(): AppException {
  // One answer for unknown, expired, used and someone else's state: no oracle for guessing states.
  return new AppException('INVALID_OAUTH_STATE', 'The authorization state is invalid, expired or already used; start again', {
    status: ConnectionErrorCodes.INVALID_OAUTH_STATE,
  });
}

/**
 * The provider refused our refresh token (invalid_grant): the connection is marked `needs_reauth` and every job
 * using it stops (it is a PermanentJobError). `toAppException()` gives the HTTP answer (409 CONNECTION_NEEDS_REAUTH).
 */
export class ConnectionReauthRequiredError extends PermanentJobError {
  readonly code = 'CONNECTION_NEEDS_REAUTH';

  constructor(
    readonly connectionId: string,
    readonly provider: ConnectionProvider,
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`The ${provider} connection needs to be authorized again: ${reason}`, cause);
  }

  toAppException(): AppException {
    return new AppException('CONNECTION_NEEDS_REAUTH', this.message, {
      status: ConnectionErrorCodes.CONNECTION_NEEDS_REAUTH,
      details: { provider: this.provider },
    });
  }
}

/** A token endpoint failure. `kind` decides: invalid_grant -> needs_reauth; temporary -> retry; rejected -> caller error. */
export class OAuthError extends Error {
  override readonly name = 'OAuthError';

  constructor(
    readonly kind: 'invalid_grant' | 'rejected' | 'temporary' | 'rate_limited',
    readonly providerError: string,
    readonly description: string,
    readonly retryAfter?: string | null,
    cause?: unknown,
  ) {
    super(`${providerError}: ${description}`, { cause });
  }
}
