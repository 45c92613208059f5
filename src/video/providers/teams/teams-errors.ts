import { GraphError } from '@microsoft/microsoft-graph-client';
import { type ProviderFailureReason, VideoProviderError, VideoProviderName } from '../../video-errors.js';
import { retryAfterSeconds } from '../provider-retry.js';

function reasonFor(status: number): ProviderFailureReason {
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 500) return 'TEMPORARY';
  if (status === 401) return 'AUTH_REVOKED';
  if (status === 404) return 'NOT_FOUND';
  if (status >= 400) return 'INVALID_REQUEST';
  // the SDK reports network failures with statusCode -1
  return 'TEMPORARY';
}

/** Graph's {error:{code, message}} (as GraphError from the SDK) -> our reason, Graph's code and message. */
export function parseGraphError(error: unknown): VideoProviderError {
  if (error instanceof VideoProviderError) return error;
  if (error instanceof GraphError) {
    const status = error.statusCode;
    return new VideoProviderError(
      VideoProviderName.Teams,
      reasonFor(status),
      `Microsoft Graph refused the request: ${(error.message || `HTTP ${status}`).slice(0, 300)}`,
      {
        providerStatus: status > 0 ? status : undefined,
        providerCode: error.code ?? undefined,
        retryAfterSeconds: status === 429 || status === 503 ? retryAfterSeconds(error.headers?.get('retry-after') ?? null) : undefined,
        cause: error,
      },
    );
  }
  return new VideoProviderError(VideoProviderName.Teams, 'TEMPORARY', 'Microsoft Graph could not be reached', { cause: error });
}
