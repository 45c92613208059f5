/**
 * What every Stripe v1 endpoint shares: API-key auth, form parameters (body and query string, bracket notation),
 * `Request-Id` and `Stripe-Version` response headers, and idempotency keys exactly as Stripe keeps them: per API key,
 * for POSTs, replaying the first response (status included, `Idempotent-Replayed: true`) when the parameters match and
 * answering 400 `idempotency_error` when they do not. Results are kept only once the endpoint started executing, so
 * a request that failed validation can be retried with the same key.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { errorBody, invalidRequest, StripeApiError } from './errors.js';
import { canonicalParams, parseStripeParams, type StripeParams } from './form.js';
import { randomToken } from './objects.js';
import { DEFAULT_API_VERSION, type ChangeOrigin } from './state.js';

export interface StripeCall {
  params: StripeParams;
  path: Record<string, string>;
  origin: ChangeOrigin;
  apiKey: string;
}

export interface StripeResult {
  status?: number;
  body: unknown;
}

interface SavedResponse {
  method: string;
  path: string;
  params: string;
  status: number;
  body: unknown;
  requestId: string;
  savedAt: number;
}

const KEY_LIFETIME_MS = 24 * 60 * 60 * 1000;

export class StripeHttp {
  private readonly saved = new Map<string, SavedResponse>();

  constructor(
    private readonly apiKeys: () => string[],
    private readonly clockMs: () => number,
  ) {}

  reset(): void {
    this.saved.clear();
  }

  /** Parses `application/x-www-form-urlencoded` bodies into bracket-aware parameter objects. */
  installBodyParser(app: FastifyInstance): void {
    const type = 'application/x-www-form-urlencoded';
    if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
    app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => {
      done(null, parseStripeParams(typeof body === 'string' ? body : body.toString('utf8')));
    });
  }

  route(
    app: FastifyInstance,
    method: 'GET' | 'POST' | 'DELETE',
    url: string,
    handler: (call: StripeCall) => StripeResult | unknown,
  ): void {
    app.route({ method, url, handler: (req, reply) => this.handle(req, reply, method, handler) });
  }

  private handle(
    req: FastifyRequest,
    reply: FastifyReply,
    method: string,
    handler: (call: StripeCall) => StripeResult | unknown,
  ) {
    const requestId = `req_${randomToken(14)}`;
    const apiVersion = headerValue(req, 'stripe-version') ?? DEFAULT_API_VERSION;
    reply.header('Request-Id', requestId).header('Stripe-Version', apiVersion);
    reply.header('Content-Type', 'application/json');
    const send = (status: number, body: unknown) => reply.code(status).send(body);

    const auth = this.authenticate(headerValue(req, 'authorization'));
    if ('error' in auth) return send(401, errorBody(auth.error.fields));
    const apiKey = auth.key;

    const queryIndex = req.url.indexOf('?');
    const params: StripeParams = {
      ...parseStripeParams(queryIndex === -1 ? '' : req.url.slice(queryIndex + 1)),
      ...(isParams(req.body) ? req.body : {}),
    };
    const idempotencyKey = method === 'POST' ? headerValue(req, 'idempotency-key') ?? null : null;
    const path = req.url.slice(0, queryIndex === -1 ? undefined : queryIndex);
    const origin: ChangeOrigin = { requestId, idempotencyKey, apiVersion };

    let storeKey: string | undefined;
    if (idempotencyKey !== null) {
      reply.header('Idempotency-Key', idempotencyKey);
      if (idempotencyKey.length > 255) {
        const error = invalidRequest(
          `Invalid Idempotency-Key: length must be at most 255 characters.`,
          undefined,
          'idempotency_key_too_long',
        );
        return send(400, errorBody(error.fields, requestId));
      }
      storeKey = `${apiKey}\u0000${idempotencyKey}`;
      const previous = this.saved.get(storeKey);
      if (previous && this.clockMs() - previous.savedAt > KEY_LIFETIME_MS) this.saved.delete(storeKey);
      else if (previous) {
        if (previous.method !== method || previous.path !== path) {
          return send(
            400,
            errorBody(
              {
                type: 'idempotency_error',
                message:
                  `Keys for idempotent requests can only be used for the same endpoint they were first used for ` +
                  `('${previous.method} ${previous.path}' vs '${method} ${path}'). Try using a key other than ` +
                  `'${idempotencyKey}' if you meant to execute a different request.`,
              },
              requestId,
            ),
          );
        }
        if (previous.params !== canonicalParams(params)) {
          return send(
            400,
            errorBody(
              {
                type: 'idempotency_error',
                message:
                  'Keys for idempotent requests can only be used with the same parameters they were first used ' +
                  `with. Try using a key other than '${idempotencyKey}' if you meant to execute a different request.`,
              },
              requestId,
            ),
          );
        }
        reply.header('Idempotent-Replayed', 'true').header('Original-Request', previous.requestId);
        return send(previous.status, previous.body);
      }
    }

    let status: number;
    let body: unknown;
    let save = true;
    try {
      const result = handler({ params, path: (req.params ?? {}) as Record<string, string>, origin, apiKey });
      if (isResult(result)) {
        status = result.status ?? 200;
        body = result.body;
      } else {
        status = 200;
        body = result;
      }
    } catch (e) {
      if (e instanceof StripeApiError) {
        status = e.status;
        body = errorBody(e.fields, requestId);
        save = e.saveIdempotentResult;
      } else {
        // Stripe keeps 500s under the idempotency key too: a retry replays the failure.
        status = 500;
        body = errorBody({ type: 'api_error', message: 'An unknown error occurred' }, requestId);
        req.log.error({ err: e }, 'stripe emulator handler failed');
      }
    }
    if (storeKey && save) {
      this.saved.set(storeKey, {
        method,
        path,
        params: canonicalParams(params),
        status,
        body,
        requestId,
        savedAt: this.clockMs(),
      });
    }
    return send(status, body);
  }

  private authenticate(header: string | undefined): { key: string } | { error: StripeApiError } {
    let key: string | undefined;
    if (header?.startsWith('Bearer ')) key = header.slice(7).trim();
    else if (header?.startsWith('Basic ')) key = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':')[0];
    if (!key) {
      return {
        error: new StripeApiError(401, {
          type: 'invalid_request_error',
          message:
            "You did not provide an API key. You need to provide your API key in the Authorization header, using " +
            "Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication " +
            'for details, or we can help at https://support.stripe.com/.',
        }),
      };
    }
    if (key.startsWith('pk_')) {
      return {
        error: new StripeApiError(401, {
          type: 'invalid_request_error',
          message: 'This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys.',
        }),
      };
    }
    if (!this.apiKeys().includes(key)) {
      const masked = key.length > 12 ? `${key.slice(0, 8)}${'*'.repeat(key.length - 12)}${key.slice(-4)}` : '*'.repeat(key.length);
      return {
        error: new StripeApiError(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${masked}` }),
      };
    }
    return { key };
  }
}

function headerValue(req: FastifyRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isParams(body: unknown): body is StripeParams {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && !Buffer.isBuffer(body);
}

function isResult(value: unknown): value is StripeResult {
  return typeof value === 'object' && value !== null && 'body' in value && Object.keys(value).every((k) => k === 'status' || k === 'body');
}
