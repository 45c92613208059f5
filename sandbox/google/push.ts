/**
 * events.watch channels and their push notifications: a `sync` message right after the watch, then `exists` on every
 * change to the calendar, POSTed with an empty body and the X-Goog-* headers, numbered per channel. Deliveries are
 * retried a few times on non-2xx or network errors (Google keeps retrying with backoff for much longer).
 */
import { createHash } from 'node:crypto';
import type { calendar_v3 } from '@googleapis/calendar';
import type { EmulatorContext } from '../core/contract.js';
import { googleError } from './errors.js';

export interface PushChannel {
  id: string;
  resourceId: string;
  resourceUri: string;
  calendarId: string;
  address: string;
  token?: string;
  expiration: number;
  messageNumber: number;
}

export interface PushDelivery {
  channelId: string;
  state: 'sync' | 'exists' | 'not_exists';
  messageNumber: number;
  address: string;
  status?: number;
  error?: string;
  attempts: number;
  at: string;
}

const DEFAULT_TTL_MS = 7 * 24 * 3600 * 1000;
const MAX_TTL_MS = 30 * 24 * 3600 * 1000;
const RETRY_DELAYS_MS = [100, 400];

export class PushChannels {
  private channels = new Map<string, PushChannel>();
  private deliveryLog: PushDelivery[] = [];
  /** ids of channels stopped or reset, so that in-flight retries give up */
  private generation = 0;

  constructor(private readonly ctx: EmulatorContext) {}

  reset(): void {
    this.channels.clear();
    this.deliveryLog = [];
    this.generation++;
  }

  list(): PushChannel[] {
    return [...this.channels.values()];
  }

  deliveries(): PushDelivery[] {
    return [...this.deliveryLog];
  }

  watch(calendarId: string, body: calendar_v3.Schema$Channel): calendar_v3.Schema$Channel {
    if (!body?.id) throw googleError(400, 'required', 'Required: id');
    if (body.type !== 'web_hook' && body.type !== 'webhook') throw googleError(400, 'invalid', `Invalid value for: type`);
    if (!body.address || !/^https?:\/\//.test(body.address)) {
      throw googleError(400, 'push.webhookUrlNotHttps', 'WebHook callback must be HTTPS: ' + (body.address ?? ''));
    }
    if (this.channels.has(body.id)) throw googleError(400, 'channelIdNotUnique', `Channel id ${body.id} not unique`);
    const now = this.ctx.now();
    const requested = body.expiration ? Number(body.expiration) : now + DEFAULT_TTL_MS;
    const channel: PushChannel = {
      id: body.id,
      resourceId: createHash('sha256').update(`events:${calendarId}`).digest('base64url').slice(0, 27),
      resourceUri: `${this.ctx.baseUrl()}/calendar/v3/calendars/${encodeURIComponent(calendarId)}/events?alt=json`,
      calendarId,
      address: body.address,
      token: body.token ?? undefined,
      expiration: Math.min(Math.max(requested, now), now + MAX_TTL_MS),
      messageNumber: 0,
    };
    this.channels.set(channel.id, channel);
    this.ctx.recordActivity({ kind: 'event', summary: `channel ${channel.id} watches ${calendarId} -> ${channel.address}` });
    setImmediate(() => this.notify(channel, 'sync'));
    return {
      kind: 'api#channel',
      id: channel.id,
      resourceId: channel.resourceId,
      resourceUri: channel.resourceUri,
      token: channel.token,
      expiration: String(channel.expiration),
    };
  }

  stop(body: calendar_v3.Schema$Channel): void {
    const channel = body?.id ? this.channels.get(body.id) : undefined;
    if (!channel || channel.resourceId !== body.resourceId) {
      throw googleError(404, 'notFound', `Channel '${body?.id ?? ''}' not found for project 'sandbox'`);
    }
    this.channels.delete(channel.id);
    this.ctx.recordActivity({ kind: 'event', summary: `channel ${channel.id} stopped` });
  }

  /** tells every live channel on the calendar that its events changed */
  calendarChanged(calendarId: string): void {
    for (const channel of this.channels.values()) {
      if (channel.calendarId !== calendarId) continue;
      if (channel.expiration <= this.ctx.now()) {
        this.channels.delete(channel.id);
        continue;
      }
      this.notify(channel, 'exists');
    }
  }

  private notify(channel: PushChannel, state: PushDelivery['state']): void {
    channel.messageNumber++;
    const delivery: PushDelivery = {
      channelId: channel.id,
      state,
      messageNumber: channel.messageNumber,
      address: channel.address,
      attempts: 0,
      at: new Date(this.ctx.now()).toISOString(),
    };
    this.deliveryLog.push(delivery);
    if (this.deliveryLog.length > 1000) this.deliveryLog.shift();
    const headers: Record<string, string> = {
      'X-Goog-Channel-ID': channel.id,
      'X-Goog-Channel-Expiration': new Date(channel.expiration).toUTCString(),
      'X-Goog-Resource-ID': channel.resourceId,
      'X-Goog-Resource-URI': channel.resourceUri,
      'X-Goog-Resource-State': state,
      'X-Goog-Message-Number': String(channel.messageNumber),
      'Content-Length': '0',
    };
    if (channel.token) headers['X-Goog-Channel-Token'] = channel.token;
    void this.deliver(delivery, headers, this.generation);
  }

  private async deliver(delivery: PushDelivery, headers: Record<string, string>, generation: number): Promise<void> {
    for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
      if (generation !== this.generation) return;
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, RETRY_DELAYS_MS[attempt - 1]));
      delivery.attempts = attempt + 1;
      try {
        const response = await fetch(delivery.address, { method: 'POST', headers, signal: AbortSignal.timeout(5000) });
        await response.arrayBuffer();
        delivery.status = response.status;
        delivery.error = undefined;
        if (response.ok) break;
      } catch (error) {
        delivery.error = error instanceof Error ? error.message : String(error);
      }
    }
    this.ctx.recordActivity({
      kind: 'delivery',
      summary: `push ${delivery.state} #${delivery.messageNumber} channel ${delivery.channelId} -> ${delivery.address}: ${delivery.status ?? delivery.error}`,
      detail: { ...delivery },
    });
  }
}
