import { CalendarProviderError, type ProviderFailureKind } from '../../calendar-errors.js';

/** GraphError {statusCode, code, message, headers} (and transport failures) to our failure kinds. */
export function parseGraphError(error: unknown): CalendarProviderError {
  if (error instanceof CalendarProviderError) return error;
  const graph = error as { statusCode?: number; code?: string | null; message?: string; headers?: Headers };
  const status = graph.statusCode ?? 0;
  if (status <= 0) return new CalendarProviderError('TEMPORARY', 'outlook', 'Microsoft Graph could not be reached', null, error);
  let kind: ProviderFailureKind;
  if (status === 429) kind = 'RATE_LIMITED';
  else if (status === 401) kind = 'AUTH_REVOKED';
  else if (status === 404 || status === 410) kind = 'NOT_FOUND';
  else if (status === 409 || status === 412) kind = 'CONFLICT';
  else if (status >= 500) kind = 'TEMPORARY';
  else if (status === 400 || status === 403) kind = 'INVALID_REQUEST';
  else kind = 'UNKNOWN';
  const reason = graph.code ? `${graph.code}: ${graph.message ?? ''}` : (graph.message ?? `HTTP ${status}`);
  return new CalendarProviderError(kind, 'outlook', reason, graph.headers?.get?.('retry-after') ?? null, error);
}
