/**
 * Google API errors in their wire shape: {error:{errors:[{domain, reason, message}], code, message}}.
 * The `status` field is what current Google front ends add; googleapis reads `errors[0].reason` and `code`.
 */
import { ProviderHttpError } from '../core/server.js';

export interface GoogleErrorItem {
  domain: string;
  reason: string;
  message: string;
  location?: string;
  locationType?: string;
}

const STATUS_NAMES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ALREADY_EXISTS',
  410: 'NOT_FOUND',
  412: 'FAILED_PRECONDITION',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
};

const DEFAULT_REASONS: Record<number, [domain: string, reason: string]> = {
  400: ['global', 'badRequest'],
  401: ['global', 'authError'],
  403: ['global', 'forbidden'],
  404: ['global', 'notFound'],
  409: ['global', 'conflict'],
  410: ['global', 'deleted'],
  412: ['global', 'conditionNotMet'],
  429: ['usageLimits', 'rateLimitExceeded'],
  500: ['global', 'backendError'],
  503: ['global', 'backendError'],
};

export function googleErrorBody(code: number, message: string, item?: Partial<GoogleErrorItem>) {
  const [domain, reason] = DEFAULT_REASONS[code] ?? ['global', code >= 500 ? 'backendError' : 'badRequest'];
  const error: Record<string, unknown> = {
    errors: [{ domain, reason, message, ...item }],
    code,
    message,
  };
  if (STATUS_NAMES[code]) error.status = STATUS_NAMES[code];
  return { error };
}

export function googleError(code: number, reason: string, message: string, domain = 'global'): ProviderHttpError {
  return new ProviderHttpError(code, googleErrorBody(code, message, { domain, reason }));
}

export const notFound = () => googleError(404, 'notFound', 'Not Found');
