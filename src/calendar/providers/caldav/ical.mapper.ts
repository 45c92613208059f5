import type { CalendarEventContent, RemoteEventState } from '../../calendar-provider.js';
import { localDateTime, offsetMinutes } from '../../event-content.js';
import { zonedToInstant } from '../google/google-event.mapper.js';

const PRODID = '-//Teletherapy Integrations//Calendar Sync//EN';

/** Our UID: stable per key, so a CalDAV object is found again by its name and its UID. */
export function icalUid(key: string): string {
  return `${key}@teletherapy-integrations`;
}

export function objectFilename(key: string): string {
  return `${key}.ics`;
}

const basic = (local: string) => local.replace(/[-:]/g, '').slice(0, 15);
const utcStamp = (date: Date) => `${date.toISOString().replace(/[-:]/g, '').slice(0, 15)}Z`;

function escapeText(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** RFC 5545 3.1: lines longer than 75 octets are folded with CRLF + space. */
function fold(line: string): string {
  const bytes = Buffer.from(line, 'utf8');
  if (bytes.length <= 75) return line;
  const parts: string[] = [];
  let current = '';
  for (const char of line) {
    if (Buffer.byteLength(current + char, 'utf8') > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
    }
    current += char;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** Offset changes of a zone between two instants, found by daily steps then bisection to the minute. */
function transitions(timeZone: string, from: Date, to: Date): Array<{ at: Date; before: number; after: number }> {
  const found: Array<{ at: Date; before: number; after: number }> = [];
  const day = 86_400_000;
  let previous = offsetMinutes(from, timeZone);
  for (let t = from.getTime() + day; t <= to.getTime(); t += day) {
    const offset = offsetMinutes(new Date(t), timeZone);
    if (offset === previous) continue;
    let low = t - day;
    let high = t;
    while (high - low > 60_000) {
      const mid = Math.floor((low + high) / 2 / 60_000) * 60_000;
      if (offsetMinutes(new Date(mid), timeZone) === previous) low = mid;
      else high = mid;
    }
    found.push({ at: new Date(high), before: previous, after: offset });
    previous = offset;
  }
  return found;
}

/** A VTIMEZONE listing the zone's real transitions around the event, so clients without tzdata agree with us. */
export function vtimezone(timeZone: string, around: Date): string[] {
  const year = around.getUTCFullYear();
  const from = new Date(Date.UTC(year - 1, 0, 1));
  const to = new Date(Date.UTC(year + 1, 11, 31));
  const changes = transitions(timeZone, from, to);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timeZone}`];
  if (changes.length === 0) {
    const offset = formatOffset(offsetMinutes(around, timeZone));
    lines.push('BEGIN:STANDARD', 'DTSTART:19700101T000000', `TZOFFSETFROM:${offset}`, `TZOFFSETTO:${offset}`, 'END:STANDARD');
  } else {
    const standardOffset = Math.min(...changes.map((change) => Math.min(change.before, change.after)));
    for (const change of changes) {
      const kind = change.after > standardOffset ? 'DAYLIGHT' : 'STANDARD';
      // DTSTART of an observance is the local time in the offset in force before it
      const start = new Date(change.at.getTime() + change.before * 60_000);
      lines.push(
        `BEGIN:${kind}`,
        `DTSTART:${basic(start.toISOString())}`,
        `TZOFFSETFROM:${formatOffset(change.before)}`,
        `TZOFFSETTO:${formatOffset(change.after)}`,
        `END:${kind}`,
      );
    }
  }
  lines.push('END:VTIMEZONE');
  return lines;
}

export function toICalendar(event: CalendarEventContent, now = new Date()): string {
  const zone = event.timeZone;
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    `PRODID:${PRODID}`,
    'CALSCALE:GREGORIAN',
    ...(zone === 'UTC' ? [] : vtimezone(zone, event.start)),
    'BEGIN:VEVENT',
    `UID:${icalUid(event.key)}`,
    `DTSTAMP:${utcStamp(now)}`,
    ...(zone === 'UTC'
      ? [`DTSTART:${utcStamp(event.start)}`, `DTEND:${utcStamp(event.end)}`]
      : [`DTSTART;TZID=${zone}:${basic(localDateTime(event.start, zone))}`, `DTEND;TZID=${zone}:${basic(localDateTime(event.end, zone))}`]),
    // Clients take the highest SEQUENCE as the current version: seconds since 2025 only ever grow.
    `SEQUENCE:${Math.max(0, Math.floor((now.getTime() - Date.UTC(2025, 0, 1)) / 1000))}`,
    `SUMMARY:${escapeText(event.title)}`,
    `DESCRIPTION:${escapeText(event.description)}`,
    'CLASS:PRIVATE',
    'TRANSP:OPAQUE',
    'STATUS:CONFIRMED',
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

/** Start and end of the VEVENT in an iCalendar object (UTC or TZID local times). */
export function fromICalendar(data: string, etag: string | null): RemoteEventState | null {
  const unfolded = data.replace(/\r?\n[ \t]/g, '');
  const vevent = /BEGIN:VEVENT([\s\S]*?)END:VEVENT/.exec(unfolded)?.[1];
  if (!vevent || /^STATUS:CANCELLED/m.test(vevent)) return null;
  const start = readTime(vevent, 'DTSTART');
  const end = readTime(vevent, 'DTEND');
  return start && end ? { start, end, etag } : null;
}

function readTime(vevent: string, name: string): Date | null {
  const match = new RegExp(`^${name}(;[^:\\r\\n]*)?:(\\d{8}T\\d{6}Z?)`, 'm').exec(vevent);
  if (!match) return null;
  const value = match[2]!;
  const local = `${value.slice(0, 4)}-${value.slice(4, 6)}-${value.slice(6, 8)}T${value.slice(9, 11)}:${value.slice(11, 13)}:${value.slice(13, 15)}`;
  if (value.endsWith('Z')) return new Date(`${local}Z`);
  const zone = /TZID=([^;:]+)/.exec(match[1] ?? '')?.[1] ?? 'UTC';
  return zonedToInstant(local, zone);
}
