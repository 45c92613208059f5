import type { Event } from '@microsoft/microsoft-graph-types';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config.js';
import {
  type CalendarEventContent,
  CalendarProvider,
  type ProviderAccess,
  type RemoteEventState,
  type StoredEventRef,
  type WrittenEvent,
} from '../../calendar-provider.js';
import { graphClient } from './graph-client.js';
import { fromOutlookEvent, KEY_PROPERTY_ID, toOutlookEvent, withKeyProperty } from './outlook-event.mapper.js';
import { parseGraphError } from './parse-graph-error.js';

/** Outlook calendars through Microsoft Graph (@microsoft/microsoft-graph-client with our middleware chain). */
@Injectable()
export class OutlookCalendarProvider extends CalendarProvider {
  readonly name = 'outlook' as const;
  readonly access = 'oauth' as const;
  override readonly needsWriteLock = true;
  private readonly baseUrl: string;

  constructor(private readonly config: AppConfig) {
    super();
    this.baseUrl = config.microsoft.apiBaseUrl?.replace(/\/$/, '') ?? 'https://graph.microsoft.com';
  }

  configured(): boolean {
    return Boolean(this.config.outlook.clientId && this.config.outlook.clientSecret);
  }

  async upsertEvent(access: ProviderAccess, event: CalendarEventContent, existing: StoredEventRef | null): Promise<WrittenEvent> {
    const client = graphClient(this.baseUrl, access.accessToken!);
    try {
      const id = existing?.providerEventId ?? (await this.findByKey(access, event.key));
      if (id) {
        try {
          const updated = (await client.api(`/me/events/${encodeURIComponent(id)}`).patch(toOutlookEvent(event))) as Event;
          return { providerEventId: id, calendarRef: null, etag: etagOf(updated), htmlLink: updated.webLink };
        } catch (error) {
          // deleted in Outlook since: create it again (with the same key property)
          if (parseGraphError(error).kind !== 'NOT_FOUND') throw error;
        }
      }
      const created = (await client.api('/me/events').post(withKeyProperty(toOutlookEvent(event), event.key))) as Event;
      return { providerEventId: created.id!, calendarRef: null, etag: etagOf(created), htmlLink: created.webLink };
    } catch (error) {
      throw parseGraphError(error);
    }
  }

  async deleteEvent(access: ProviderAccess, ref: StoredEventRef): Promise<void> {
    const id = ref.providerEventId ?? (await this.findByKey(access, ref.key));
    if (!id) return;
    try {
      await graphClient(this.baseUrl, access.accessToken!).api(`/me/events/${encodeURIComponent(id)}`).delete();
    } catch (error) {
      const failure = parseGraphError(error);
      if (failure.kind !== 'NOT_FOUND') throw failure;
    }
  }

  async fetchEvent(access: ProviderAccess, ref: StoredEventRef): Promise<RemoteEventState | null> {
    const id = ref.providerEventId ?? (await this.findByKey(access, ref.key));
    if (!id) return null;
    try {
      const event = (await graphClient(this.baseUrl, access.accessToken!)
        .api(`/me/events/${encodeURIComponent(id)}`)
        .select('id,start,end,isCancelled')
        .get()) as Event;
      return fromOutlookEvent(event);
    } catch (error) {
      const failure = parseGraphError(error);
      if (failure.kind === 'NOT_FOUND') return null;
      throw failure;
    }
  }

  private async findByKey(access: ProviderAccess, key: string): Promise<string | null> {
    try {
      const page = (await graphClient(this.baseUrl, access.accessToken!)
        .api('/me/events')
        .filter(`singleValueExtendedProperties/any(ep: ep/id eq '${KEY_PROPERTY_ID}' and ep/value eq '${key.replace(/'/g, "''")}')`)
        .select('id')
        .top(1)
        .get()) as { value: Event[] };
      return page.value[0]?.id ?? null;
    } catch (error) {
      throw parseGraphError(error);
    }
  }
}

function etagOf(event: Event): string | null {
  return (event as { '@odata.etag'?: string })['@odata.etag'] ?? null;
}
