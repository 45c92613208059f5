import type { calendar_v3 } from '@googleapis/calendar';
import type { CalendarEventContent, RemoteEventState } from '../../calendar-provider.js';
import { localDateTime } from '../../event-content.js';

const BASE32HEX = '0123456789abcdefghijklmnopqrstuv';

/**
 * Google accepts client-chosen event ids in base32hex (a-v, 0-9, 5-1024 chars): ours is the base32hex of the key's
 * UUID bytes, so a repeated insert of the same session answers 409 instead of making a second event.
 */
export function googleEventId(key: string): string {
  const bytes = Buffer.from(key.replace(/-/g, ''), 'hex');
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32HEX[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32HEX[(value << (5 - bits)) & 31];
  return out;
}

export function toGoogleEvent(event: CalendarEventContent): calendar_v3.Schema$Event {
  return {
    summary: event.title,
    description: event.description,
    // Local wall time plus the zone: Google then keeps the time right across DST and shows it in the session's zone.
    start: { dateTime: localDateTime(event.start, event.timeZone), timeZone: event.timeZone },
    end: { dateTime: localDateTime(event.end, event.timeZone), timeZone: event.timeZone },
    visibility: 'private',
    transparency: 'opaque',
    status: 'confirmed',
    extendedProperties: { private: { teletherapyKey: event.key } },
    reminders: { useDefault: true },
  };
}

export function fromGoogleEvent(event: calendar_v3.Schema$Event): RemoteEventState | null {
  if (event.status === 'cancelled' || !event.start || !event.end) return null;
  const start = toInstant(event.start);
  const end = toInstant(event.end);
  if (!start || !end) return null;
  return { start, end, etag: event.etag ?? null };
}

function toInstant(time: calendar_v3.Schema$EventDateTime): Date | null {
  if (time.dateTime) {
    // An offset-less dateTime is local to time.timeZone
    if (/[zZ]|[+-]\d\d:\d\d$/.test(time.dateTime)) return new Date(time.dateTime);
    return zonedToInstant(time.dateTime, time.timeZone ?? 'UTC');
  }
  return time.date ? new Date(`${time.date}T00:00:00Z`) : null;
}

/** The instant of a wall-clock time in a zone (two passes settle the offset around DST changes). */
export function zonedToInstant(local: string, timeZone: string): Date {
  const asUtc = Date.parse(`${local.slice(0, 19)}Z`);
  let guess = asUtc;
  for (let pass = 0; pass < 2; pass += 1) {
    const offset = Date.parse(`${localDateTime(new Date(guess), timeZone)}Z`) - guess;
    guess = asUtc - offset;
  }
  return new Date(guess);
}
