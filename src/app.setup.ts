import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Reflector } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RawServerDefault } from 'fastify';
import helmet from 'helmet';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { NestFactory } from '@nestjs/core';
import { AppModule, type AppModuleOptions } from './app.module.js';
import { EnvelopeInterceptor } from './common/envelope.js';
import { AllExceptionsFilter } from './common/exception.filter.js';
import { createValidationPipe } from './common/validation.js';
import type { AppConfig } from './config/app-config.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/** A caller-supplied x-request-id is kept when it is well-formed (for tracing across services); else a new one. */
function requestId(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  req.headers['x-request-id'] = id;
  return id;
}

export function createAdapter(config: AppConfig): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    genReqId: requestId,
    logger: false,
  });
}

/** Builds the HTTP application: the same for `npm start`, the tests and the benchmarks. */
export async function createApp(options: Omit<AppModuleOptions, 'role'>): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.register({ ...options, role: 'api' }),
    createAdapter(options.config),
    // rawBody: webhook signatures are computed over the exact bytes received.
    { rawBody: true, bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  await configureApp(app, options.config);
  return app;
}

export async function configureApp(app: NestFastifyApplication, config: AppConfig): Promise<void> {
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new AllExceptionsFilter());
  app.useGlobalInterceptors(new EnvelopeInterceptor(app.get(Reflector)));
  app.enableCors({ origin: config.corsOrigins, credentials: false, exposedHeaders: ['x-request-id'] });

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // Many clients send `content-type: application/json` on every request, including POSTs that carry no body (create a
  // meeting, send reminders). An empty body is "no body", not malformed JSON; the raw bytes are still kept for webhooks.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<RawServerDefault>('application/json', { bodyLimit: config.bodyLimitBytes }, (request, body, done) => {
    if (body.length === 0) return done(null, undefined);
    // Fastify's own parser (proto-poisoning refused) accepts the Buffer as is.
    parseJson(request, body as unknown as string, done);
  });

  // Built once: @fastify/helmet rebuilt the helmet middleware (parsing the CSP directives) on every request, which
  // cost ~0.12 ms of CPU per request (about a fifth of a webhook delivery). Same options, same headers.
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: [`'self'`],
        styleSrc: [`'self'`, `'unsafe-inline'`],
        imgSrc: [`'self'`, 'data:'],
        scriptSrc: [`'self'`],
      },
    },
  });
  fastify.addHook('onRequest', (request, reply, done) =>
    securityHeaders(request.raw, reply.raw, (error) => done(error as Error | undefined)),
  );

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Teletherapy integrations API')
      .setDescription(
        'Calendars (Google, Outlook, Apple), Stripe payments and video rooms (Zoom, Teams) for therapy sessions. ' +
          'Every response uses the envelope {success, message?, data} or {success:false, message, code}.',
      )
      .setVersion('1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}
