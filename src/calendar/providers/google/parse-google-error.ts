import { CalendarProviderError, type ProviderFailureKind } from '../../calendar-errors.js';

interface GoogleErrorBody {
  error?: { code?: number; message?: string; errors?: Array<{ reason?: string; message?: string }> } | string;
  error_description?: string;
}

/** Google API errors ({error:{code,message,errors:[{reason}]}}) and transport failures to our failure kinds. */
export function parseGoogleError(error: unknown): CalendarProviderError {
  if (error instanceof CalendarProviderError) return error;
  const response = (error as { response?: { status?: number; data?: unknown; headers?: unknown } }).response;
  const status = response?.status ?? (error as { status?: number }).status;
  if (!status) return new CalendarProviderError('TEMPORARY', 'google', 'Google Calendar could not be reached', null, error);
  const body = (response?.data ?? {}) as GoogleErrorBody;
  const detail = typeof body.error === 'object' ? body.error : undefined;
  const reason = detail?.errors?.[0]?.reason ?? (typeof body.error === 'string' ? body.error : '');
  const message = detail?.message ?? body.error_description ?? `HTTP ${status}`;
  const headers = response?.headers;
  const retryAfter =
    headers instanceof Headers ? headers.get('retry-after') : ((headers as Record<string, string> | undefined)?.['retry-after'] ?? null);
  let kind: ProviderFailureKind;
  if (status === 429 || (status === 403 && /rateLimitExceeded|userRateLimitExceeded|quotaExceeded/.test(reason))) kind = 'RATE_LIMITED';
  else if (status === 401 || (status === 400 && reason === 'invalid_grant')) kind = 'AUTH_REVOKED';
  else if (status === 404 || status === 410) kind = 'NOT_FOUND';
  else if (status === 409 || status === 412) kind = 'CONFLICT';
  else if (status >= 500) kind = 'TEMPORARY';
  else if (status === 400 || status === 403) kind = 'INVALID_REQUEST';
  else kind = 'UNKNOWN';
  return new CalendarProviderError(kind, 'google', reason ? `${reason}: ${message}` : message, retryAfter, error);
}
