import { Injectable } from '@nestjs/common';
import {
  createCalendarObject,
  DAVClient,
  deleteCalendarObject,
  getBasicAuthHeaders,
  updateCalendarObject,
} from 'tsdav';
import {
  type CalendarEventContent,
  CalendarProvider,
  type ProviderAccess,
  type RemoteEventState,
  type StoredEventRef,
  type WrittenEvent,
} from '../../calendar-provider.js';
import { fromICalendar, objectFilename, toICalendar } from './ical.mapper.js';
import { caldavFailure, parseCaldavError } from './parse-caldav-error.js';

export const ICLOUD_CALDAV_URL = 'https://caldav.icloud.com';
const TIMEOUT_MS = 15_000;

export interface CaldavAccount {
  serverUrl: string;
  username: string;
  password: string;
}

/**
 * Apple Calendar (iCloud) and any CalDAV server through tsdav. The object URL is `<calendar>/<key>.ics` with our UID,
 * so a repeated create meets If-None-Match:* (412) and becomes an update instead of a second event.
 */
@Injectable()
export class CaldavCalendarProvider extends CalendarProvider {
  readonly name = 'apple' as const;
  readonly access = 'credentials' as const;

  configured(): boolean {
    return true;
  }

  /** Discovery (well-known, principal, calendar home) and the calendar we write to; made when there is none. */
  async discover(account: CaldavAccount): Promise<{ calendarUrl: string }> {
    try {
      const client = new DAVClient({
        serverUrl: account.serverUrl,
        credentials: { username: account.username, password: account.password },
        authMethod: 'Basic',
        defaultAccountType: 'caldav',
      });
      await client.login();
      const calendars = await client.fetchCalendars();
      const writable = calendars.find((calendar) => !calendar.components || calendar.components.includes('VEVENT'));
      if (writable) return { calendarUrl: writable.url };
      const homeUrl = client.account?.homeUrl;
      if (!homeUrl) throw caldavFailure(404, 'no calendar home');
      const calendarUrl = new URL('teletherapy/', homeUrl).toString();
      await client.makeCalendar({ url: calendarUrl, props: { displayname: 'Therapy sessions' } });
      return { calendarUrl };
    } catch (error) {
      throw parseCaldavError(error);
    }
  }

  async upsertEvent(access: ProviderAccess, event: CalendarEventContent): Promise<WrittenEvent> {
    const { calendarUrl, headers } = this.target(access);
    const filename = objectFilename(event.key);
    const url = new URL(filename, calendarUrl).toString();
    const iCalString = toICalendar(event);
    const created = await this.send(() =>
      createCalendarObject({ calendar: { url: calendarUrl }, filename, iCalString, headers, fetchOptions: { signal: AbortSignal.timeout(TIMEOUT_MS) } }),
    );
    if (created.ok) return { providerEventId: url, calendarRef: calendarUrl, etag: created.headers.get('etag') };
    if (created.status !== 412) throw caldavFailure(created.status, created.statusText, created.headers.get('retry-after'));
    // It exists (an earlier attempt or another instance): replace it, whatever its current etag.
    const updated = await this.send(() =>
      updateCalendarObject({ calendarObject: { url, data: iCalString }, headers, fetchOptions: { signal: AbortSignal.timeout(TIMEOUT_MS) } }),
    );
    if (!updated.ok) throw caldavFailure(updated.status, updated.statusText, updated.headers.get('retry-after'));
    return { providerEventId: url, calendarRef: calendarUrl, etag: updated.headers.get('etag') };
  }

  async deleteEvent(access: ProviderAccess, ref: StoredEventRef): Promise<void> {
    const { calendarUrl, headers } = this.target(access);
    const url = ref.providerEventId ?? new URL(objectFilename(ref.key), ref.calendarRef ?? calendarUrl).toString();
    const response = await this.send(() =>
      deleteCalendarObject({ calendarObject: { url }, headers, fetchOptions: { signal: AbortSignal.timeout(TIMEOUT_MS) } }),
    );
    if (!response.ok && response.status !== 404 && response.status !== 410) {
      throw caldavFailure(response.status, response.statusText, response.headers.get('retry-after'));
    }
  }

  async fetchEvent(access: ProviderAccess, ref: StoredEventRef): Promise<RemoteEventState | null> {
    const { calendarUrl, headers } = this.target(access);
    const url = ref.providerEventId ?? new URL(objectFilename(ref.key), ref.calendarRef ?? calendarUrl).toString();
    const response = await this.send(() => fetch(url, { headers, signal: AbortSignal.timeout(TIMEOUT_MS) }));
    if (response.status === 404 || response.status === 410) return null;
    if (!response.ok) throw caldavFailure(response.status, response.statusText, response.headers.get('retry-after'));
    return fromICalendar(await response.text(), response.headers.get('etag'));
  }

  private target(access: ProviderAccess): { calendarUrl: string; headers: Record<string, string> } {
    const calendarUrl = String(access.connection.metadata.calendarUrl ?? '');
    const { username = '', password = '' } = access.credentials ?? {};
    return { calendarUrl, headers: getBasicAuthHeaders({ username, password }) };
  }

  private async send(request: () => Promise<Response>): Promise<Response> {
    try {
      return await request();
    } catch (error) {
      throw parseCaldavError(error);
    }
  }
}
