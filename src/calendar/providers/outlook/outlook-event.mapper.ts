import type { Event } from '@microsoft/microsoft-graph-types';
import type { CalendarEventContent, RemoteEventState } from '../../calendar-provider.js';
import { localDateTime } from '../../event-content.js';
import { zonedToInstant } from '../google/google-event.mapper.js';

/** Our single-value extended property: finds "our" event again by key, so a retried create is found, not repeated. */
export const KEY_PROPERTY_ID = 'String {5f0c7a1e-3b7d-4c84-9a51-7d0f5e2c9b11} Name TeletherapyEventKey';

export function toOutlookEvent(event: CalendarEventContent): Event {
  return {
    subject: event.title,
    body: { contentType: 'text', content: event.description },
    start: { dateTime: localDateTime(event.start, event.timeZone), timeZone: event.timeZone },
    end: { dateTime: localDateTime(event.end, event.timeZone), timeZone: event.timeZone },
    sensitivity: 'private',
    showAs: 'busy',
    isReminderOn: true,
  };
}

export function withKeyProperty(event: Event, key: string): Event {
  return { ...event, singleValueExtendedProperties: [{ id: KEY_PROPERTY_ID, value: key }] };
}

export function fromOutlookEvent(event: Event): RemoteEventState | null {
  if (event.isCancelled || !event.start?.dateTime || !event.end?.dateTime) return null;
  return {
    start: toInstant(event.start.dateTime, event.start.timeZone),
    end: toInstant(event.end.dateTime, event.end.timeZone),
    etag: (event as { '@odata.etag'?: string })['@odata.etag'] ?? null,
  };
}

function toInstant(dateTime: string, timeZone: string | null | undefined): Date {
  if (/[zZ]|[+-]\d\d:\d\d$/.test(dateTime)) return new Date(dateTime);
  return zonedToInstant(dateTime, !timeZone || timeZone === 'UTC' || timeZone === 'tzone://Microsoft/Utc' ? 'UTC' : timeZone);
}
