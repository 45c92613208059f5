/**
 * Graph's error envelope: {error:{code, message, innerError:{date, request-id, client-request-id}}}. Graph stamps
 * every error with the request id it also returns in the `request-id` header.
 */
import { randomUUID } from 'node:crypto';
import { ProviderHttpError } from '../core/server.js';

export function graphErrorBody(code: string, message: string, requestId: string = randomUUID()) {
  return {
    error: {
      code,
      message,
      innerError: {
        date: new Date().toISOString().replace(/\.\d+Z$/, ''),
        'request-id': requestId,
        'client-request-id': requestId,
      },
    },
  };
}

export function graphError(status: number, code: string, message: string): ProviderHttpError {
  const requestId = randomUUID();
  return new ProviderHttpError(status, graphErrorBody(code, message, requestId), {
    'request-id': requestId,
    'client-request-id': requestId,
  });
}

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BadRequest',
  401: 'InvalidAuthenticationToken',
  403: 'Forbidden',
  404: 'ResourceNotFound',
  409: 'Conflict',
  412: 'PreconditionFailed',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  502: 'BadGateway',
  503: 'ServiceNotAvailable',
  504: 'GatewayTimeout',
};

export function graphErrorForStatus(status: number, message: string) {
  const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'InternalServerError' : 'BadRequest');
  const text = status === 429 ? 'Too many requests. Retry after the time given in the Retry-After header.' : message;
  return graphErrorBody(code, text);
}

export const notFound = () =>
  graphError(404, 'ErrorItemNotFound', 'The specified object was not found in the store.');

/** The identity platform's (login.microsoftonline.com) OAuth error body, AADSTS code in front of the description. */
export function identityError(status: number, error: string, aadsts: number, description: string): ProviderHttpError {
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date().toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  return new ProviderHttpError(status, {
    error,
    error_description: `AADSTS${aadsts}: ${description} Trace ID: ${traceId} Correlation ID: ${correlationId} Timestamp: ${timestamp}`,
    error_codes: [aadsts],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${aadsts}`,
  });
}
