/**
 * Webhook delivery as Stripe does it: the event JSON is POSTed to every endpoint, signed with that endpoint's
 * secret (`Stripe-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "t.payload")>`), and retried on anything but a
 * 2xx. Live Stripe retries for three days; the sandbox retries a few times with a short backoff.
 */
import { createHmac } from 'node:crypto';
import type Stripe from 'stripe';
import type { EmulatorContext } from '../core/contract.js';
import { stripeId } from './objects.js';

export interface WebhookEndpointConfig {
  url: string;
  secret: string;
}

export interface WebhookEndpoint extends WebhookEndpointConfig {
  id: string;
}

/** Per event and endpoint: 'pending' while attempts remain, then 'succeeded' or 'failed' ('dropped' when suppressed). */
export type DeliveryState = 'pending' | 'succeeded' | 'failed' | 'dropped';

export function signPayload(payload: string, secret: string, timestamp: number): string {
  const signature = createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
  return `t=${timestamp},v1=${signature}`;
}

export class WebhookDispatcher {
  private endpoints: WebhookEndpoint[] = [];
  private readonly states = new Map<string, Map<string, DeliveryState>>();
  private dropNext = 0;
  private generation = 0;
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly ctx: () => EmulatorContext | undefined,
    private readonly initial: WebhookEndpointConfig[],
    /** waits before each retry; the number of entries is the number of retries */
    private readonly retryDelaysMs: number[],
  ) {
    this.reset();
  }

  reset(): void {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.states.clear();
    this.dropNext = 0;
    this.endpoints = this.initial.map((e) => ({ ...e, id: stripeId('we') }));
  }

  list(): WebhookEndpoint[] {
    return this.endpoints.map((e) => ({ ...e }));
  }

  add(config: WebhookEndpointConfig): WebhookEndpoint {
    const endpoint = { ...config, id: stripeId('we') };
    this.endpoints.push(endpoint);
    return endpoint;
  }

  /** Removes by id or by url; returns how many were removed. */
  remove(idOrUrl: string): number {
    const before = this.endpoints.length;
    this.endpoints = this.endpoints.filter((e) => e.id !== idOrUrl && e.url !== idOrUrl);
    return before - this.endpoints.length;
  }

  suppressNext(count: number): void {
    this.dropNext += count;
  }

  /** Endpoints that have not yet received the event (Stripe's `pending_webhooks`). */
  pendingCount(eventId: string): number {
    const states = this.states.get(eventId);
    if (!states) return 0;
    return [...states.values()].filter((s) => s !== 'succeeded').length;
  }

  /** Stripe's `delivery_success` filter: false means still pending or failed at some endpoint. */
  deliverySucceeded(eventId: string): boolean {
    return this.pendingCount(eventId) === 0;
  }

  deliveryStates(eventId: string): Record<string, DeliveryState> {
    return Object.fromEntries(this.states.get(eventId) ?? []);
  }

  /** Starts delivering an event; `snapshot` produces the payload at send time (pending_webhooks changes). */
  dispatch(event: Stripe.Event): void {
    const states = new Map<string, DeliveryState>();
    this.states.set(event.id, states);
    if (this.endpoints.length === 0) return;
    if (this.dropNext > 0) {
      this.dropNext--;
      for (const endpoint of this.endpoints) states.set(endpoint.id, 'dropped');
      this.ctx()?.recordActivity({
        kind: 'delivery',
        summary: `${event.type} ${event.id} dropped (simulated lost webhook)`,
        detail: { eventId: event.id, dropped: true },
      });
      return;
    }
    for (const endpoint of this.endpoints) {
      states.set(endpoint.id, 'pending');
      void this.attempt(event, endpoint, 1, this.generation);
    }
  }

  private async attempt(event: Stripe.Event, endpoint: WebhookEndpoint, attempt: number, generation: number) {
    const payload = JSON.stringify({ ...event, pending_webhooks: this.pendingCount(event.id) }, null, 2);
    // Stripe signs with the wall-clock time of the attempt, not a test clock's time.
    const header = signPayload(payload, endpoint.secret, Math.floor(Date.now() / 1000));
    let status = 0;
    let error: string | undefined;
    try {
      const res = await fetch(endpoint.url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'Stripe-Signature': header,
        },
        body: payload,
        signal: AbortSignal.timeout(10_000),
      });
      status = res.status;
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    if (generation !== this.generation) return;
    const ok = status >= 200 && status < 300;
    const retriesLeft = attempt <= this.retryDelaysMs.length;
    const states = this.states.get(event.id);
    states?.set(endpoint.id, ok ? 'succeeded' : retriesLeft ? 'pending' : 'failed');
    this.ctx()?.recordActivity({
      kind: 'delivery',
      summary: `${event.type} ${event.id} -> ${endpoint.url}: ${ok ? status : error ?? status} (attempt ${attempt})`,
      detail: { eventId: event.id, type: event.type, endpoint: endpoint.url, attempt, status, error, ok },
    });
    if (!ok && retriesLeft) {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        void this.attempt(event, endpoint, attempt + 1, generation);
      }, this.retryDelaysMs[attempt - 1]);
      timer.unref();
      this.timers.add(timer);
    }
  }

  close(): void {
    this.generation++;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
