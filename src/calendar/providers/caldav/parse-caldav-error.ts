import { CalendarProviderError, type ProviderFailureKind } from '../../calendar-errors.js';

/** CalDAV answers (tsdav returns the Response and does not throw) and transport failures to our failure kinds. */
export function caldavFailure(status: number, statusText: string, retryAfter: string | null = null): CalendarProviderError {
  let kind: ProviderFailureKind;
  if (status === 429 || status === 503) kind = 'RATE_LIMITED';
  else if (status === 401) kind = 'AUTH_REVOKED';
  else if (status === 403) kind = 'INVALID_REQUEST';
  else if (status === 404 || status === 410) kind = 'NOT_FOUND';
  else if (status === 409 || status === 412) kind = 'CONFLICT';
  else if (status >= 500) kind = 'TEMPORARY';
  else kind = 'INVALID_REQUEST';
  return new CalendarProviderError(kind, 'apple', `HTTP ${status} ${statusText}`.trim(), retryAfter);
}

export function parseCaldavError(error: unknown): CalendarProviderError {
  if (error instanceof CalendarProviderError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (/invalid credentials|401|unauthori[sz]ed/i.test(message)) return new CalendarProviderError('AUTH_REVOKED', 'apple', 'The CalDAV server refused the credentials', null, error);
  return new CalendarProviderError('TEMPORARY', 'apple', 'The CalDAV server could not be reached', null, error);
}
