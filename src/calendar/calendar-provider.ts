import type { ConnectionView } from '../connections/connections.service.js';

export const CALENDAR_PROVIDERS = ['google', 'outlook', 'apple'] as const;
export type CalendarProviderName = (typeof CALENDAR_PROVIDERS)[number];

/** What a provider needs to act for one connection: the OAuth access token, or CalDAV credentials. */
export interface ProviderAccess {
  connection: ConnectionView;
  accessToken?: string;
  credentials?: Record<string, string>;
}

/** Our event, provider-neutral. `key` makes writes idempotent: the provider's id is derived from it. */
export interface CalendarEventContent {
  key: string;
  title: string;
  description: string;
  start: Date;
  end: Date;
  /** IANA zone the event is shown in */
  timeZone: string;
}

export interface StoredEventRef {
  key: string;
  providerEventId: string | null;
  calendarRef: string | null;
  etag: string | null;
}

export interface WrittenEvent {
  providerEventId: string;
  calendarRef: string | null;
  etag: string | null;
  /** the provider's link for the owner, when it has one */
  htmlLink?: string | null;
}

/** The event as the external calendar has it now; null when it was deleted there. */
export interface RemoteEventState {
  start: Date;
  end: Date;
  etag: string | null;
}

/**
 * The contract every calendar provider implements (and the DI token of the registry's members). Providers throw
 * CalendarProviderError from their error parser, never HTTP exceptions.
 */
export abstract class CalendarProvider {
  abstract readonly name: CalendarProviderName;

  /** OAuth tokens (google, outlook) or stored credentials (apple) */
  abstract readonly access: 'oauth' | 'credentials';

  /**
   * Whether two concurrent writes of one event could make two events (find-then-create, as with Graph's extended
   * property search); the sync then holds a cluster-wide lock per event. Providers with client-chosen ids do not.
   */
  readonly needsWriteLock: boolean = false;

  /** whether this server has the provider's client credentials */
  abstract configured(): boolean;

  /** Creates or updates the event with this key; repeating it never makes a second event. */
  abstract upsertEvent(access: ProviderAccess, event: CalendarEventContent, existing: StoredEventRef | null): Promise<WrittenEvent>;

  /** Deletes the event; an event already gone counts as deleted. */
  abstract deleteEvent(access: ProviderAccess, ref: StoredEventRef): Promise<void>;

  /** The event's current start and end in the external calendar, or null when it was deleted there. */
  abstract fetchEvent(access: ProviderAccess, ref: StoredEventRef): Promise<RemoteEventState | null>;
}
