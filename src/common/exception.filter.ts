import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppException, ERROR_STATUS } from './app-exception.js';
import type { ErrorEnvelope } from './envelope.js';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'VALIDATION_ERROR',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

// Messages we choose for framework errors, so that internals (route tables, parser details) never reach a caller.
const MESSAGE_BY_CODE: Record<string, string> = {
  UNAUTHORIZED: 'Authentication required: a valid bearer token is missing',
  FORBIDDEN: 'Your role does not allow this action',
  NOT_FOUND: 'Resource not found',
  METHOD_NOT_ALLOWED: 'Method not allowed',
  PAYLOAD_TOO_LARGE: 'Request body is too large',
  UNSUPPORTED_MEDIA_TYPE: 'Unsupported content type: send application/json',
  INVALID_JSON: 'Request body is not valid JSON',
  RATE_LIMITED: 'Too many requests, try again later',
  INTERNAL_ERROR: 'Internal server error',
};

interface FrameworkError {
  statusCode?: number;
  code?: string;
  message?: string;
}

function isFrameworkError(error: unknown): error is FrameworkError {
  return typeof (error as FrameworkError)?.code === 'string' && (error as FrameworkError).code!.startsWith('FST_');
}

/** Maps anything thrown to a status and the seed's error envelope. */
export function toErrorEnvelope(error: unknown): { status: number; body: ErrorEnvelope } {
  if (error instanceof AppException) {
    return {
      status: error.status,
      body: {
        success: false,
        message: error.message,
        code: error.code,
        ...(error.details ? { details: error.details } : {}),
      },
    };
  }
  if (error instanceof HttpException && isFrameworkError(error.cause)) {
    // Nest wraps Fastify's parser errors; the original code tells malformed JSON from other 400s.
    return toErrorEnvelope(error.cause);
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const code = CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_ERROR');
    const response = error.getResponse();
    const original = typeof response === 'object' && response && 'message' in response ? response.message : response;
    // 400s from pipes (e.g. ParseUUIDPipe) explain the caller's mistake; other statuses get our own wording.
    const message =
      status === HttpStatus.BAD_REQUEST && typeof original === 'string'
        ? original
        : (MESSAGE_BY_CODE[code] ?? 'Request failed');
    return { status, body: { success: false, message, code } };
  }
  const framework = error as FrameworkError;
  if (typeof framework?.statusCode === 'number' && framework.statusCode >= 400 && framework.statusCode < 500) {
    // Fastify's own errors: body parsing, content type, size.
    const status = framework.statusCode;
    const code =
      framework.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
        ? 'INVALID_JSON'
        : framework.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'INVALID_JSON'
          : (CODE_BY_STATUS[status] ?? 'VALIDATION_ERROR');
    const message =
      code === 'INVALID_JSON' && framework.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
        ? 'Request body is empty but content-type is application/json'
        : (MESSAGE_BY_CODE[code] ?? 'Invalid request');
    return { status, body: { success: false, message, code } };
  }
  return {
    status: ERROR_STATUS.INTERNAL_ERROR,
    body: { success: false, message: MESSAGE_BY_CODE.INTERNAL_ERROR, code: 'INTERNAL_ERROR' },
  };
}

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const { status, body } = toErrorEnvelope(exception);
    if (status >= 500) {
      // The stack goes to the log (with the request id), never to the caller.
      this.logger.error({ err: exception, requestId: request?.id, code: body.code }, 'request failed');
    }
    void reply
      .status(status)
      .header('content-type', 'application/json; charset=utf-8')
      .send({ ...body, requestId: request?.id });
  }
}
