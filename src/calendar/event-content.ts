import type { TherapySession } from '../therapy-sessions/therapy-session.entity.js';
import type { CalendarEventContent } from './calendar-provider.js';

/** `YYYY-MM-DDTHH:mm:ss` wall-clock time of an instant in an IANA zone (DST included, via Intl). */
export function localDateTime(instant: Date, timeZone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    })
      .formatToParts(instant)
      .map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}:${parts.second}`;
}

/** The zone's UTC offset in minutes at an instant. */
export function offsetMinutes(instant: Date, timeZone: string): number {
  const local = Date.parse(`${localDateTime(instant, timeZone)}Z`);
  return Math.round((local - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/**
 * A session's calendar entry. Calendars are shared, synced to phones and read by assistants, so by default it says
 * nothing about the client or the therapy: "Therapy session", the room's join link when there is one, and a pointer
 * to the app. Only ever the join link: the host's start URL gives host rights to whoever reads the calendar. A
 * therapist may opt in to the client's initials in their own calendar.
 */
export function sessionEventContent(
  session: Pick<TherapySession, 'id' | 'startTime' | 'endTime' | 'timezone'>,
  options: { initials?: string | null; joinUrl?: string | null } = {},
): CalendarEventContent {
  const description = options.joinUrl
    ? `Join the video session: ${options.joinUrl}\n\nOpen the teletherapy app for the details. Reference: ${session.id}`
    : `Open the teletherapy app for the details and the link to join. Reference: ${session.id}`;
  return {
    key: session.id,
    title: options.initials ? `Therapy session (${options.initials})` : 'Therapy session',
    description,
    start: session.startTime,
    end: session.endTime,
    timeZone: session.timezone,
  };
}

export function initialsOf(name: string): string {
  return name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 3)
    .map((word) => `${word[0]!.toUpperCase()}.`)
    .join('');
}
