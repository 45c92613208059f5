import { BadRequestException, ForbiddenException, HttpException, NotFoundException } from '@nestjs/common';
import { AppException } from './app-exception.js';
import { toErrorEnvelope } from './exception.filter.js';

describe('toErrorEnvelope', () => {
  it('maps an AppException to its status, code, message and details', () => {
    const error = new AppException('SESSION_NOT_FOUND', 'Session not found');
    expect(toErrorEnvelope(error)).toEqual({ status: 404, body: { success: false, code: 'SESSION_NOT_FOUND', message: 'Session not found' } });
    const custom = new AppException('SESSION_ALREADY_PAID', 'Already paid', { status: 409, details: { sessionId: 's' } });
    expect(toErrorEnvelope(custom)).toEqual({
      status: 409,
      body: { success: false, code: 'SESSION_ALREADY_PAID', message: 'Already paid', details: { sessionId: 's' } },
    });
  });

  it('maps framework exceptions to codes, keeping only our own wording beyond 400', () => {
    expect(toErrorEnvelope(new NotFoundException('Cannot GET /api/secret-route'))).toEqual({
      status: 404,
      body: { success: false, code: 'NOT_FOUND', message: 'Resource not found' },
    });
    expect(toErrorEnvelope(new ForbiddenException()).body.code).toBe('FORBIDDEN');
    expect(toErrorEnvelope(new BadRequestException('Validation failed (uuid is expected)')).body).toMatchObject({
      code: 'VALIDATION_ERROR',
      message: 'Validation failed (uuid is expected)',
    });
  });

  it('recognises Fastify parser errors wrapped by Nest', () => {
    const parser = Object.assign(new Error("Body is not valid JSON but content-type is set to 'application/json'"), {
      statusCode: 400,
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
    });
    expect(toErrorEnvelope(new HttpException(parser.message, 400, { cause: parser })).body.code).toBe('INVALID_JSON');
    const large = Object.assign(new Error('Request body is too large'), { statusCode: 413, code: 'FST_ERR_CTP_BODY_TOO_LARGE' });
    expect(toErrorEnvelope(large)).toMatchObject({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE' } });
  });

  it('answers anything unexpected with a generic 500 that leaks nothing', () => {
    const leak = new Error('duplicate key value violates unique constraint "users_email_lower_key" at /srv/app.js:12');
    const { status, body } = toErrorEnvelope(leak);
    expect(status).toBe(500);
    expect(body).toEqual({ success: false, code: 'INTERNAL_ERROR', message: 'Internal server error' });
  });
});
