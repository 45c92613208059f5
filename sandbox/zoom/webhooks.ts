/**
 * Zoom webhooks: POST to the app's endpoint with x-zm-request-timestamp and
 * x-zm-signature = v0=HMAC-SHA256(secretToken, `v0:${timestamp}:${body}`) (hex), and the endpoint.url_validation
 * challenge, answered with {plainToken, encryptedToken = HMAC-SHA256(secretToken, plainToken) hex}.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { EmulatorContext } from '../core/contract.js';

export interface ZoomWebhookTarget {
  url: string;
  secretToken: string;
}

export interface DeliveryResult {
  event: string;
  status: number | string;
  attempts: number;
}

/** Zoom retries after 5, 30 and 90 minutes; the sandbox retries quickly so a person or a test sees it at once */
const RETRY_DELAYS_MS = [250, 1000];
const TIMEOUT_MS = 3000;

export function zoomSignature(secretToken: string, timestamp: string, body: string): string {
  return `v0=${createHmac('sha256', secretToken).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export class ZoomWebhooks {
  private generation = 0;

  constructor(
    private target: ZoomWebhookTarget | undefined,
    private readonly ctx: () => EmulatorContext,
  ) {}

  configure(target: ZoomWebhookTarget | undefined): void {
    this.target = target;
  }

  configured(): ZoomWebhookTarget | undefined {
    return this.target;
  }

  reset(target: ZoomWebhookTarget | undefined): void {
    this.target = target;
    this.generation++;
  }

  /** sends one event; resolves after the first attempt (later retries run in the background) */
  async send(event: string, payload: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<DeliveryResult> {
    if (!this.target) return { event, status: 'no webhook endpoint configured', attempts: 0 };
    const body = JSON.stringify({ event, payload, event_ts: this.ctx().now(), ...extra });
    return this.attempt(this.target, event, body, this.generation, 0);
  }

  /** the endpoint.url_validation challenge Zoom sends when an endpoint is saved (and every 72 hours) */
  async validate(): Promise<{ ok: boolean; status: number | string; response?: unknown }> {
    if (!this.target) return { ok: false, status: 'no webhook endpoint configured' };
    const plainToken = randomBytes(16).toString('base64url');
    const body = JSON.stringify({ payload: { plainToken }, event_ts: this.ctx().now(), event: 'endpoint.url_validation' });
    const { status, text } = await this.post(this.target, body);
    let response: unknown = text;
    try {
      response = JSON.parse(text);
    } catch {
      // not JSON: the check below fails
    }
    const expected = createHmac('sha256', this.target.secretToken).update(plainToken).digest('hex');
    const answer = response as { plainToken?: string; encryptedToken?: string } | undefined;
    const ok = status === 200 && answer?.plainToken === plainToken && answer?.encryptedToken === expected;
    this.ctx().recordActivity({
      kind: 'delivery',
      summary: `endpoint.url_validation -> ${this.target.url}: ${status}${ok ? ' (validated)' : ' (failed)'}`,
    });
    return { ok, status, response };
  }

  private async post(target: ZoomWebhookTarget, body: string): Promise<{ status: number | string; text: string }> {
    const timestamp = String(Math.floor(this.ctx().now() / 1000));
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json; charset=utf-8',
          'user-agent': 'Zoom Marketplace/1.0a',
          'x-zm-request-timestamp': timestamp,
          'x-zm-signature': zoomSignature(target.secretToken, timestamp, body),
        },
        body,
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      return { status: error instanceof Error ? error.name : 'network error', text: '' };
    }
  }

  private async attempt(
    target: ZoomWebhookTarget,
    event: string,
    body: string,
    generation: number,
    attempt: number,
  ): Promise<DeliveryResult> {
    const { status } = await this.post(target, body);
    const delivered = typeof status === 'number' && status >= 200 && status < 300;
    this.ctx().recordActivity({
      kind: 'delivery',
      summary: `${event} -> ${target.url}: ${status}${delivered ? '' : ` (attempt ${attempt + 1})`}`,
      detail: { event, url: target.url, status, attempt: attempt + 1, body: JSON.parse(body) },
    });
    if (!delivered && attempt < RETRY_DELAYS_MS.length) {
      setTimeout(() => {
        if (generation === this.generation) void this.attempt(target, event, body, generation, attempt + 1);
      }, RETRY_DELAYS_MS[attempt]).unref();
    }
    return { event, status, attempts: attempt + 1 };
  }
}
