/**
 * Sandbox-only controls under /__sandbox/ (no Stripe auth; the core neither journals nor rate-limits them):
 * webhook endpoints, suppressing deliveries, settling payment intents and advancing subscriptions.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Billing } from './billing.js';
import { errorBody, StripeApiError } from './errors.js';
import type { Payments, SettleOutcome } from './payments.js';
import { AUTOMATIC, type StripeStore } from './state.js';
import type { WebhookDispatcher } from './webhooks.js';

const SETTLE_OUTCOMES: SettleOutcome[] = ['succeed', 'fail', 'require_action', 'processing'];

function body(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}

function badRequest(reply: FastifyReply, message: string) {
  return reply.code(400).send(errorBody({ type: 'invalid_request_error', message }));
}

function guard(reply: FastifyReply, run: () => unknown) {
  try {
    return reply.send(run());
  } catch (e) {
    if (e instanceof StripeApiError) return reply.code(e.status).send(errorBody(e.fields));
    throw e;
  }
}

export function registerStripeControls(
  app: FastifyInstance,
  deps: { store: StripeStore; payments: Payments; billing: Billing; webhooks: WebhookDispatcher },
): void {
  const { store, payments, billing, webhooks } = deps;

  app.get('/__sandbox/webhook_endpoints', async () => ({
    data: webhooks.list().map(({ id, url }) => ({ id, url })),
  }));
  app.post('/__sandbox/webhook_endpoints', async (req, reply) => {
    const { url, secret } = body(req.body);
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return badRequest(reply, 'url must be an http(s) URL');
    if (typeof secret !== 'string' || secret === '') return badRequest(reply, 'secret is required');
    const endpoint = webhooks.add({ url, secret });
    return reply.code(201).send({ id: endpoint.id, url: endpoint.url });
  });
  app.delete<{ Params: { id: string } }>('/__sandbox/webhook_endpoints/:id', async (req, reply) => {
    const removed = webhooks.remove(req.params.id);
    return removed ? reply.send({ deleted: removed }) : reply.code(404).send(errorBody({ type: 'invalid_request_error', code: 'resource_missing', message: `No such webhook endpoint: '${req.params.id}'` }));
  });
  app.delete<{ Querystring: { url?: string } }>('/__sandbox/webhook_endpoints', async (req) => {
    const url = req.query.url;
    if (url) return { deleted: webhooks.remove(url) };
    let deleted = 0;
    for (const e of webhooks.list()) deleted += webhooks.remove(e.id);
    return { deleted };
  });

  app.post('/__sandbox/webhooks/drop-next', async (req, reply) => {
    const count = body(req.body).count ?? 1;
    if (typeof count !== 'number' || !Number.isInteger(count) || count < 0) return badRequest(reply, 'count must be a non-negative integer');
    webhooks.suppressNext(count);
    return { dropNext: count };
  });
  app.get<{ Params: { id: string } }>('/__sandbox/events/:id/deliveries', async (req) => ({
    event: req.params.id,
    deliveries: webhooks.deliveryStates(req.params.id),
  }));

  app.post<{ Params: { id: string } }>('/__sandbox/payment_intents/:id/settle', async (req, reply) => {
    const { outcome, declineCode } = body(req.body);
    if (!SETTLE_OUTCOMES.includes(outcome as SettleOutcome)) {
      return badRequest(reply, `outcome must be one of ${SETTLE_OUTCOMES.join(', ')}`);
    }
    return guard(reply, () => {
      const pi = store.get(store.paymentIntents, 'payment_intent', req.params.id);
      payments.settle(pi, outcome as SettleOutcome, AUTOMATIC, typeof declineCode === 'string' ? declineCode : undefined);
      return store.render(pi, [], AUTOMATIC);
    });
  });

  app.post<{ Params: { id: string } }>('/__sandbox/subscriptions/:id/advance', async (req, reply) => {
    const { outcome = 'paid', declineCode } = body(req.body);
    if (outcome !== 'paid' && outcome !== 'failed') return badRequest(reply, "outcome must be 'paid' or 'failed'");
    return guard(reply, () => {
      const sub = store.get(store.subscriptions, 'subscription', req.params.id);
      billing.advance(sub, outcome, typeof declineCode === 'string' ? declineCode : undefined);
      return store.render(sub, ['latest_invoice'], AUTOMATIC);
    });
  });
}
