/**
 * Graph change notifications for Outlook events. Creating a subscription first runs Graph's validation handshake
 * (POST notificationUrl?validationToken=..., the endpoint must echo the token as text/plain within 10 s); afterwards
 * every change to a subscribed calendar is POSTed to notificationUrl with the subscription's clientState.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ChangeNotification, ChangeNotificationCollection, Event, Subscription } from '@microsoft/microsoft-graph-types';
import type { EmulatorContext } from '../core/contract.js';
import type { Account, Directory } from './directory.js';
import { graphError } from './graph-errors.js';
import type { ChangeType } from './mailbox.js';

/** Graph's maximum lifetime for Outlook resources */
const MAX_EVENT_SUBSCRIPTION_MINUTES = 4230;
const VALIDATION_TIMEOUT_MS = 10_000;
const DELIVERY_TIMEOUT_MS = 3_000;
/** Graph retries for hours; the sandbox retries a few times quickly so tests and people see it within seconds */
const RETRY_DELAYS_MS = [250, 1000];

interface StoredSubscription {
  subscription: Subscription;
  /** the calendar owner whose events it watches */
  ownerId: string;
}

export class Subscriptions {
  private subscriptions = new Map<string, StoredSubscription>();
  private generation = 0;

  constructor(
    private readonly directory: Directory,
    private readonly ctx: () => EmulatorContext,
  ) {}

  reset(): void {
    this.subscriptions.clear();
    // deliveries still waiting for a retry belong to the old world
    this.generation++;
  }

  list(clientId: string): Subscription[] {
    return [...this.subscriptions.values()]
      .filter((stored) => stored.subscription.applicationId === clientId)
      .map((stored) => stored.subscription);
  }

  get(id: string, clientId: string): StoredSubscription {
    const stored = this.subscriptions.get(id);
    if (!stored || stored.subscription.applicationId !== clientId) {
      throw graphError(404, 'ResourceNotFound', `The object was not found.`);
    }
    return stored;
  }

  async create(input: Subscription, caller: { clientId: string; account: Account | null }): Promise<Subscription> {
    const changeTypes = (input.changeType ?? '').split(',').map((part) => part.trim());
    if (!input.changeType || !changeTypes.every((part) => ['created', 'updated', 'deleted'].includes(part))) {
      throw graphError(400, 'InvalidRequest', "Invalid 'changeType' attribute: '" + (input.changeType ?? '') + "'.");
    }
    if (!input.notificationUrl || !/^https?:\/\//.test(input.notificationUrl)) {
      throw graphError(400, 'InvalidRequest', 'The notification URL must be an absolute URL.');
    }
    const owner = this.ownerOf(input.resource ?? '', caller.account);
    this.checkExpiration(input.expirationDateTime);
    if (input.clientState && input.clientState.length > 128) {
      throw graphError(400, 'InvalidRequest', 'clientState must not exceed 128 characters.');
    }
    await this.validate(input.notificationUrl);
    if (input.lifecycleNotificationUrl) await this.validate(input.lifecycleNotificationUrl);
    const subscription: Subscription = {
      id: randomUUID(),
      resource: input.resource,
      applicationId: caller.clientId,
      changeType: changeTypes.join(','),
      clientState: input.clientState ?? null,
      notificationUrl: input.notificationUrl,
      notificationQueryOptions: null,
      lifecycleNotificationUrl: input.lifecycleNotificationUrl ?? null,
      expirationDateTime: new Date(input.expirationDateTime!).toISOString(),
      creatorId: caller.account?.id ?? caller.clientId,
      includeResourceData: false,
      latestSupportedTlsVersion: input.latestSupportedTlsVersion ?? 'v1_2',
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationUrlAppId: null,
    };
    this.subscriptions.set(subscription.id!, { subscription, ownerId: owner.id });
    this.ctx().recordActivity({
      kind: 'event',
      summary: `subscription ${subscription.id} created for ${subscription.resource}`,
      detail: { id: subscription.id, resource: subscription.resource, changeType: subscription.changeType },
    });
    return subscription;
  }

  renew(stored: StoredSubscription, expirationDateTime: string | undefined): Subscription {
    this.checkExpiration(expirationDateTime);
    stored.subscription.expirationDateTime = new Date(expirationDateTime!).toISOString();
    return stored.subscription;
  }

  delete(id: string): void {
    this.subscriptions.delete(id);
  }

  /** called by the mailbox on every change; deliveries happen in the background like Graph's */
  notify(owner: Account, changeType: ChangeType, event: Event): void {
    const now = this.ctx().now();
    for (const { subscription, ownerId } of this.subscriptions.values()) {
      if (ownerId !== owner.id) continue;
      if (!subscription.changeType?.split(',').includes(changeType)) continue;
      if (Date.parse(subscription.expirationDateTime!) <= now) continue;
      const resource = `Users/${owner.id}/Events/${event.id}`;
      const notification: ChangeNotification = {
        subscriptionId: subscription.id!,
        subscriptionExpirationDateTime: subscription.expirationDateTime!,
        changeType,
        resource,
        resourceData: {
          '@odata.type': '#Microsoft.Graph.Event',
          '@odata.id': resource,
          '@odata.etag': `W/"${event.changeKey}"`,
          id: event.id,
        } as ChangeNotification['resourceData'],
        clientState: subscription.clientState ?? null,
        tenantId: owner.tenantId,
      };
      const payload: ChangeNotificationCollection = { value: [notification] };
      void this.deliver(subscription.notificationUrl!, payload, this.generation, 0);
    }
  }

  private async deliver(url: string, payload: ChangeNotificationCollection, generation: number, attempt: number) {
    if (generation !== this.generation) return;
    let status: number | string;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch (error) {
      status = error instanceof Error ? error.name : 'network error';
    }
    const delivered = typeof status === 'number' && status >= 200 && status < 300;
    const notification = payload.value![0];
    this.ctx().recordActivity({
      kind: 'delivery',
      summary: `${notification.changeType} ${notification.resource} -> ${url}: ${status}${delivered ? '' : ` (attempt ${attempt + 1})`}`,
      detail: { url, status, attempt: attempt + 1, payload },
    });
    if (!delivered && attempt < RETRY_DELAYS_MS.length) {
      setTimeout(() => void this.deliver(url, payload, generation, attempt + 1), RETRY_DELAYS_MS[attempt]).unref();
    }
  }

  private ownerOf(resource: string, account: Account | null): Account {
    const match = /^\/?(me|users\/([^/]+))\/(?:calendar\/|calendars\/[^/]+\/)?events$/i.exec(resource);
    if (!match) {
      throw graphError(400, 'InvalidRequest', `Resource '${resource}' is not supported for this API version.`);
    }
    if (match[1].toLowerCase() === 'me') {
      if (!account) throw graphError(400, 'BadRequest', '/me request is only valid with delegated authentication flow.');
      return account;
    }
    const owner = this.directory.find(decodeURIComponent(match[2]));
    if (!owner) throw graphError(404, 'ResourceNotFound', `User '${match[2]}' was not found.`);
    return owner;
  }

  private checkExpiration(expirationDateTime: string | null | undefined): void {
    const expires = Date.parse(expirationDateTime ?? '');
    const now = this.ctx().now();
    if (Number.isNaN(expires)) {
      throw graphError(400, 'InvalidRequest', "The 'expirationDateTime' attribute is required.");
    }
    if (expires <= now) {
      throw graphError(400, 'InvalidRequest', 'Subscription expiration must be in the future.');
    }
    if (expires > now + MAX_EVENT_SUBSCRIPTION_MINUTES * 60_000) {
      throw graphError(
        400,
        'InvalidRequest',
        `Subscription expiration can only be ${MAX_EVENT_SUBSCRIPTION_MINUTES} minutes in the future.`,
      );
    }
  }

  private async validate(notificationUrl: string): Promise<void> {
    const validationToken = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()} ${randomBytes(4).toString('hex')}`;
    const url = new URL(notificationUrl);
    url.searchParams.set('validationToken', validationToken);
    let answer = '';
    let status = 0;
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        signal: AbortSignal.timeout(VALIDATION_TIMEOUT_MS),
      });
      status = response.status;
      answer = await response.text();
    } catch {
      status = 0;
    }
    const ok = status === 200 && answer === validationToken;
    this.ctx().recordActivity({
      kind: 'delivery',
      summary: `subscription validation -> ${notificationUrl}: ${status || 'no answer'}${ok ? '' : ' (failed)'}`,
    });
    if (!ok) {
      throw graphError(
        400,
        'ValidationError',
        'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
      );
    }
  }
}
