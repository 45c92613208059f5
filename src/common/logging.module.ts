import type { IncomingMessage } from 'node:http';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config.js';

// Everything that can carry a credential or a health detail is removed from log lines.
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'req.headers["x-zm-signature"]',
  'req.headers["idempotency-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.appPassword',
  '*.accessToken',
  '*.refreshToken',
  '*.token',
  '*.secret',
  '*.clientSecret',
  '*.authCode',
  '*.startUrl',
  '*.joinUrl',
];

/** Structured JSON logs (pino) with the request id on every line. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          // The id was chosen by Fastify (see app.setup.ts) and put on the raw request's header.
          genReqId: (req: IncomingMessage) => String(req.headers['x-request-id'] ?? ''),
          redact: { paths: REDACT, censor: '[redacted]' },
          autoLogging: { ignore: (req: IncomingMessage) => req.url?.startsWith('/api/health') ?? false },
          // Only method, path without query (queries can carry codes or tokens) and the id.
          serializers: {
            req: (req: { id: string; method: string; url: string }) => ({
              id: req.id,
              method: req.method,
              path: req.url.split('?')[0],
            }),
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
