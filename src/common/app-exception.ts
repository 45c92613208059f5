import { HttpStatus } from '@nestjs/common';

/**
 * The error codes shared across the API, with their HTTP status: the seed's first, then the foundation's. A module
 * with codes of its own keeps them in its folder and passes the status (see `AppException` options).
 */
export const ERROR_STATUS = {
  // seed: calendar, payment, video
  MISSING_AUTH_CODE: HttpStatus.BAD_REQUEST,
  CALENDAR_CONNECTION_ERROR: HttpStatus.BAD_GATEWAY,
  CALENDAR_EVENT_ERROR: HttpStatus.BAD_GATEWAY,
  SESSION_SYNC_ERROR: HttpStatus.BAD_GATEWAY,
  MISSING_AMOUNT: HttpStatus.BAD_REQUEST,
  PAYMENT_INTENT_ERROR: HttpStatus.BAD_GATEWAY,
  SUBSCRIPTION_ERROR: HttpStatus.BAD_GATEWAY,
  ZOOM_MEETING_ERROR: HttpStatus.BAD_GATEWAY,
  TEAMS_MEETING_ERROR: HttpStatus.BAD_GATEWAY,
  MEETING_NOT_FOUND: HttpStatus.NOT_FOUND,
  WEBHOOK_ERROR: HttpStatus.BAD_REQUEST,
  // foundation
  VALIDATION_ERROR: HttpStatus.BAD_REQUEST,
  INVALID_JSON: HttpStatus.BAD_REQUEST,
  UNSUPPORTED_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  UNAUTHORIZED: HttpStatus.UNAUTHORIZED,
  INVALID_CREDENTIALS: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  METHOD_NOT_ALLOWED: HttpStatus.METHOD_NOT_ALLOWED,
  CONFLICT: HttpStatus.CONFLICT,
  EMAIL_TAKEN: HttpStatus.CONFLICT,
  USER_NOT_FOUND: HttpStatus.NOT_FOUND,
  SESSION_NOT_FOUND: HttpStatus.NOT_FOUND,
  INVALID_SESSION_STATE: HttpStatus.CONFLICT,
  RATE_LIMITED: HttpStatus.TOO_MANY_REQUESTS,
  PROVIDER_NOT_SUPPORTED: HttpStatus.BAD_REQUEST,
  PROVIDER_NOT_CONFIGURED: HttpStatus.SERVICE_UNAVAILABLE,
  SERVICE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  INTERNAL_ERROR: HttpStatus.INTERNAL_SERVER_ERROR,
} as const satisfies Record<string, HttpStatus>;

export type CommonErrorCode = keyof typeof ERROR_STATUS;
/** Common codes autocomplete; module codes are any other UPPER_SNAKE string with an explicit status. */
export type ErrorCode = CommonErrorCode | (string & {});

export interface AppExceptionOptions {
  /** required for codes outside ERROR_STATUS */
  status?: HttpStatus;
  /** optional facts for the caller (e.g. which fields failed validation); never secrets */
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * A domain error with a code and a message that is safe to show the caller. Services and providers throw these,
 * never HTTP exceptions; the one exception filter turns them into the seed's envelope and status.
 */
export class AppException<Code extends ErrorCode = ErrorCode> extends Error {
  readonly status: HttpStatus;

  readonly details?: Record<string, unknown>;

  constructor(
    readonly code: Code,
    message: string,
    options: AppExceptionOptions = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppException';
    this.details = options.details;
    this.status =
      options.status ?? (ERROR_STATUS as Record<string, HttpStatus>)[code] ?? HttpStatus.INTERNAL_SERVER_ERROR;
  }
}
