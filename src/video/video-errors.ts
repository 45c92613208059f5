import { HttpStatus } from '@nestjs/common';
import { AppException } from '../common/app-exception.js';

/** The video providers we can create rooms with; the value is also the `:provider` path segment. */
export enum VideoProviderName {
  Zoom = 'zoom',
  Teams = 'teams',
}

export const VIDEO_PROVIDERS: readonly string[] = Object.values(VideoProviderName);

/** The seed's failure code per provider (ZOOM_MEETING_ERROR, TEAMS_MEETING_ERROR). */
export const MEETING_ERROR_CODE = {
  [VideoProviderName.Zoom]: 'ZOOM_MEETING_ERROR',
  [VideoProviderName.Teams]: 'TEAMS_MEETING_ERROR',
} as const;

/**
 * Why a provider call failed, in the few kinds the job layer decides on: retry (TEMPORARY, RATE_LIMITED),
 * ask the therapist to reconnect (AUTH_REVOKED), treat as gone (NOT_FOUND) or give up.
 */
export type ProviderFailureReason =
  | 'TEMPORARY'
  | 'RATE_LIMITED'
  | 'AUTH_REVOKED'
  | 'NOT_FOUND'
  | 'INVALID_REQUEST'
  | 'NOT_CONNECTED'
  | 'PERSONAL_ACCOUNT'
  | 'UNKNOWN';

const STATUS_BY_REASON: Partial<Record<ProviderFailureReason, HttpStatus>> = {
  NOT_CONNECTED: HttpStatus.CONFLICT,
  PERSONAL_ACCOUNT: HttpStatus.UNPROCESSABLE_ENTITY,
  AUTH_REVOKED: HttpStatus.CONFLICT,
};

/** A provider refused or failed; carries the seed's code, our reason and what the provider said (no secrets). */
export class VideoProviderError extends AppException {
  constructor(
    readonly provider: VideoProviderName,
    readonly reason: ProviderFailureReason,
    message: string,
    readonly extra: { providerStatus?: number; providerCode?: string | number; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(MEETING_ERROR_CODE[provider], message, {
      status: STATUS_BY_REASON[reason] ?? HttpStatus.BAD_GATEWAY,
      details: {
        reason,
        ...(extra.providerStatus === undefined ? {} : { providerStatus: extra.providerStatus }),
        ...(extra.providerCode === undefined ? {} : { providerCode: extra.providerCode }),
        ...(extra.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: extra.retryAfterSeconds }),
      },
      cause: extra.cause,
    });
  }

  get retryable(): boolean {
    return this.reason === 'TEMPORARY' || this.reason === 'RATE_LIMITED';
  }
}

export const meetingNotFound = () => new AppException('MEETING_NOT_FOUND', 'Meeting not found');

export const providerNotSupported = (name: string) =>
  new AppException('PROVIDER_NOT_SUPPORTED', `Video provider "${name}" is not supported (use ${VIDEO_PROVIDERS.join(' or ')})`);

export const meetingConflict = (message: string) => new AppException('MEETING_CONFLICT', message, { status: HttpStatus.CONFLICT });
