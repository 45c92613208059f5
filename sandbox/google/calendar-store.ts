/**
 * In-memory Google calendars: events with Calendar v3 semantics (client-chosen base32hex ids, soft delete to
 * `cancelled`, patch merges nested objects, sync tokens over a per-calendar change counter).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { calendar_v3 } from '@googleapis/calendar';
import { googleError, notFound } from './errors.js';

type Event = calendar_v3.Schema$Event;
type EventDateTime = calendar_v3.Schema$EventDateTime;

interface StoredEvent {
  event: Event;
  changeSeq: number;
}

interface CalendarState {
  id: string;
  events: Map<string, StoredEvent>;
  changeSeq: number;
  /** sync tokens of an earlier epoch are stale (410 fullSyncRequired) */
  syncEpoch: number;
}

export interface WriteOptions {
  /** the conferenceDataVersion query parameter */
  conferenceDataVersion?: number;
}

export interface ListQuery {
  timeMin?: string;
  timeMax?: string;
  privateExtendedProperty?: string | string[];
  sharedExtendedProperty?: string | string[];
  showDeleted?: string;
  singleEvents?: string;
  orderBy?: string;
  syncToken?: string;
  pageToken?: string;
  maxResults?: string;
  q?: string;
  updatedMin?: string;
  iCalUID?: string;
}

export type CalendarChange = 'created' | 'updated' | 'deleted';

const EVENT_ID = /^[a-v0-9]{5,1024}$/;
const READ_ONLY_FIELDS = ['kind', 'etag', 'id', 'htmlLink', 'created', 'updated', 'creator', 'iCalUID', 'hangoutLink'] as const;
const NOT_WITH_SYNC_TOKEN = ['iCalUID', 'orderBy', 'privateExtendedProperty', 'q', 'sharedExtendedProperty', 'timeMin', 'timeMax', 'updatedMin'] as const;

export class CalendarStore {
  private calendars = new Map<string, CalendarState>();
  private generation = randomBytes(4).toString('hex');

  constructor(
    private readonly now: () => number,
    private readonly onChange: (calendarId: string, event: Event, change: CalendarChange) => void,
  ) {}

  reset(): void {
    this.calendars.clear();
    this.generation = randomBytes(4).toString('hex');
  }

  /** makes every sync token issued so far for the calendar stale */
  invalidateSyncTokens(calendarId: string): void {
    this.calendar(calendarId).syncEpoch++;
  }

  /** every event including cancelled ones, for the control API and the inspection page */
  allEvents(calendarId?: string): Array<{ calendarId: string; event: Event }> {
    const calendars = calendarId ? [this.calendar(calendarId)] : [...this.calendars.values()];
    return calendars.flatMap((calendar) => [...calendar.events.values()].map(({ event }) => ({ calendarId: calendar.id, event })));
  }

  insert(calendarId: string, input: Event, options: WriteOptions, organizerEmail: string): Event {
    const calendar = this.calendar(calendarId);
    const id = input.id ?? newEventId();
    if (!EVENT_ID.test(id)) throw googleError(400, 'invalid', 'Invalid resource id value.');
    if (calendar.events.has(id)) throw googleError(409, 'duplicate', 'The requested identifier already exists.');
    validateTimes(input);
    const at = this.isoNow();
    const event: Event = {
      ...withoutReadOnly(input),
      kind: 'calendar#event',
      id,
      status: input.status ?? 'confirmed',
      htmlLink: `https://www.google.com/calendar/event?eid=${Buffer.from(`${id} ${calendarId}`).toString('base64url')}`,
      created: at,
      updated: at,
      creator: { email: organizerEmail, self: true },
      organizer: input.organizer ?? { email: organizerEmail, self: true },
      iCalUID: input.iCalUID ?? `${id}@google.com`,
      sequence: input.sequence ?? 0,
      reminders: input.reminders ?? { useDefault: true },
      eventType: input.eventType ?? 'default',
    };
    if (event.attendees) event.attendees = event.attendees.map((attendee) => ({ responseStatus: 'needsAction', ...attendee }));
    this.applyConference(event, input, options);
    return this.save(calendar, event, 'created');
  }

  get(calendarId: string, eventId: string): Event {
    return structuredClone(this.stored(calendarId, eventId).event);
  }

  patch(calendarId: string, eventId: string, patch: Event, options: WriteOptions): Event {
    const calendar = this.calendar(calendarId);
    const current = this.stored(calendarId, eventId).event;
    const next = mergePatch(structuredClone(current) as Record<string, unknown>, withoutReadOnly(patch) as Record<string, unknown>) as Event;
    if (options.conferenceDataVersion && patch.conferenceData) this.applyConference(next, patch, options);
    else next.conferenceData = current.conferenceData;
    validateTimes(next);
    return this.save(calendar, this.touch(current, next), 'updated');
  }

  update(calendarId: string, eventId: string, replacement: Event, options: WriteOptions): Event {
    const calendar = this.calendar(calendarId);
    const current = this.stored(calendarId, eventId).event;
    validateTimes(replacement);
    const next: Event = {
      ...withoutReadOnly(replacement),
      kind: current.kind,
      id: current.id,
      htmlLink: current.htmlLink,
      created: current.created,
      creator: current.creator,
      organizer: replacement.organizer ?? current.organizer,
      iCalUID: current.iCalUID,
      status: replacement.status ?? 'confirmed',
      reminders: replacement.reminders ?? { useDefault: true },
      eventType: current.eventType,
    };
    if (options.conferenceDataVersion) this.applyConference(next, replacement, options, current);
    else next.conferenceData = current.conferenceData;
    return this.save(calendar, this.touch(current, next), 'updated');
  }

  delete(calendarId: string, eventId: string): void {
    const calendar = this.calendar(calendarId);
    const current = this.stored(calendarId, eventId).event;
    if (current.status === 'cancelled') throw googleError(410, 'deleted', 'Resource has been deleted');
    this.save(calendar, this.touch(current, { ...current, status: 'cancelled' }), 'deleted');
  }

  list(calendarId: string, query: ListQuery): calendar_v3.Schema$Events {
    const calendar = this.calendar(calendarId);
    const maxResults = query.maxResults ? Number(query.maxResults) : 250;
    if (!Number.isInteger(maxResults) || maxResults < 1) throw googleError(400, 'invalid', 'Invalid value for: maxResults');
    const page = query.pageToken ? decodeToken<{ o: number; s: number }>(query.pageToken) : undefined;
    if (query.pageToken && !page) throw googleError(400, 'invalid', 'Invalid page token value.');

    let items: StoredEvent[];
    if (query.syncToken) {
      const conflicting = NOT_WITH_SYNC_TOKEN.filter((name) => query[name] !== undefined);
      if (conflicting.length) {
        throw googleError(400, 'invalid', `Sync token cannot be used with the following parameters: ${conflicting.join(', ')}.`);
      }
      const since = decodeToken<{ g: string; c: string; e: number; s: number }>(query.syncToken);
      if (!since || since.c !== calendarId) throw googleError(400, 'invalid', 'Invalid sync token value.');
      if (since.g !== this.generation || since.e !== calendar.syncEpoch) {
        throw googleError(410, 'fullSyncRequired', 'Sync token is no longer valid, a full sync is required.', 'calendar');
      }
      items = [...calendar.events.values()].filter((stored) => stored.changeSeq > since.s).sort((a, b) => a.changeSeq - b.changeSeq);
    } else {
      items = this.filter(calendar, query);
    }

    const snapshotSeq = page?.s ?? calendar.changeSeq;
    const offset = page?.o ?? 0;
    const slice = items.slice(offset, offset + maxResults);
    const more = offset + maxResults < items.length;
    const result: calendar_v3.Schema$Events = {
      kind: 'calendar#events',
      etag: `"${snapshotSeq}"`,
      summary: calendarId,
      description: '',
      updated: this.isoNow(),
      timeZone: 'UTC',
      accessRole: 'owner',
      defaultReminders: [{ method: 'popup', minutes: 10 }],
      items: slice.map((stored) => structuredClone(stored.event)),
    };
    if (more) result.nextPageToken = encodeToken({ o: offset + maxResults, s: snapshotSeq });
    else result.nextSyncToken = encodeToken({ g: this.generation, c: calendarId, e: calendar.syncEpoch, s: snapshotSeq });
    return result;
  }

  private filter(calendar: CalendarState, query: ListQuery): StoredEvent[] {
    const timeMin = query.timeMin !== undefined ? parseBound(query.timeMin, 'timeMin') : undefined;
    const timeMax = query.timeMax !== undefined ? parseBound(query.timeMax, 'timeMax') : undefined;
    if (timeMin !== undefined && timeMax !== undefined && timeMin >= timeMax) {
      throw googleError(400, 'timeRangeEmpty', 'The specified time range is empty.');
    }
    const updatedMin = query.updatedMin !== undefined ? parseBound(query.updatedMin, 'updatedMin') : undefined;
    if (query.orderBy === 'startTime' && query.singleEvents !== 'true') {
      throw googleError(400, 'badRequest', 'The requested ordering is not available for the particular query.');
    }
    const privateProps = propertyFilters(query.privateExtendedProperty, 'privateExtendedProperty');
    const sharedProps = propertyFilters(query.sharedExtendedProperty, 'sharedExtendedProperty');
    const text = query.q?.toLowerCase();

    return [...calendar.events.values()]
      .filter(({ event }) => {
        if (event.status === 'cancelled' && query.showDeleted !== 'true') return false;
        if (timeMin !== undefined && instantOf(event.end) <= timeMin) return false;
        if (timeMax !== undefined && instantOf(event.start) >= timeMax) return false;
        if (updatedMin !== undefined && Date.parse(event.updated ?? '') < updatedMin) return false;
        if (query.iCalUID && event.iCalUID !== query.iCalUID) return false;
        if (!privateProps.every(([key, value]) => event.extendedProperties?.private?.[key] === value)) return false;
        if (!sharedProps.every(([key, value]) => event.extendedProperties?.shared?.[key] === value)) return false;
        if (text && ![event.summary, event.description, event.location].some((field) => field?.toLowerCase().includes(text))) return false;
        return true;
      })
      .sort((a, b) => instantOf(a.event.start) - instantOf(b.event.start) || (a.event.id ?? '').localeCompare(b.event.id ?? ''));
  }

  private applyConference(event: Event, input: Event, options: WriteOptions, current?: Event): void {
    const request = input.conferenceData?.createRequest;
    if (!options.conferenceDataVersion || !input.conferenceData) {
      if (current?.conferenceData) event.conferenceData = current.conferenceData;
      else delete event.conferenceData;
      return;
    }
    if (!request) {
      event.conferenceData = input.conferenceData;
      return;
    }
    const type = request.conferenceSolutionKey?.type;
    if (type !== 'hangoutsMeet') throw googleError(400, 'invalid', 'Invalid conference type value.');
    // Google creates Meet conferences asynchronously; the sandbox answers with the finished conference at once.
    const code = meetCode(request.requestId ?? randomBytes(8).toString('hex'));
    const uri = `https://meet.google.com/${code}`;
    event.conferenceData = {
      createRequest: { requestId: request.requestId, conferenceSolutionKey: { type }, status: { statusCode: 'success' } },
      entryPoints: [{ entryPointType: 'video', uri, label: `meet.google.com/${code}` }],
      conferenceSolution: {
        key: { type },
        name: 'Google Meet',
        iconUri: 'https://fonts.gstatic.com/s/i/productlogos/meet_2020q4/v6/web-512dp/logo_meet_2020q4_color_2x_web_512dp.png',
      },
      conferenceId: code,
    };
    event.hangoutLink = uri;
  }

  private touch(current: Event, next: Event): Event {
    const moved =
      JSON.stringify([current.start, current.end]) !== JSON.stringify([next.start, next.end]) || current.status !== next.status;
    return { ...next, updated: this.isoNow(), sequence: (current.sequence ?? 0) + (moved ? 1 : 0) };
  }

  private save(calendar: CalendarState, event: Event, change: CalendarChange): Event {
    calendar.changeSeq++;
    event.etag = `"${this.now() * 1000 + (calendar.changeSeq % 1000)}"`;
    calendar.events.set(event.id!, { event, changeSeq: calendar.changeSeq });
    const copy = structuredClone(event);
    this.onChange(calendar.id, copy, change);
    return structuredClone(event);
  }

  private stored(calendarId: string, eventId: string): StoredEvent {
    const stored = this.calendar(calendarId).events.get(eventId);
    if (!stored) throw notFound();
    return stored;
  }

  private calendar(calendarId: string): CalendarState {
    let calendar = this.calendars.get(calendarId);
    if (!calendar) {
      calendar = { id: calendarId, events: new Map(), changeSeq: 0, syncEpoch: 0 };
      this.calendars.set(calendarId, calendar);
    }
    return calendar;
  }

  private isoNow(): string {
    return new Date(this.now()).toISOString();
  }
}

function withoutReadOnly(input: Event): Event {
  const copy = structuredClone(input ?? {}) as Record<string, unknown>;
  for (const field of READ_ONLY_FIELDS) delete copy[field];
  return copy as Event;
}

function validateTimes(event: Event): void {
  if (!event.start) throw googleError(400, 'required', 'Missing start time.');
  if (!event.end) throw googleError(400, 'required', 'Missing end time.');
  for (const [which, time] of [['start', event.start], ['end', event.end]] as const) {
    if (!time.date && !time.dateTime) throw googleError(400, 'required', `Missing ${which} time.`);
    if (time.dateTime && !hasOffset(time.dateTime) && !time.timeZone) {
      throw googleError(400, 'required', `Missing time zone definition for ${which} time.`);
    }
    if (Number.isNaN(instantOf(time))) throw googleError(400, 'invalid', `Invalid ${which} time.`);
  }
  if (Boolean(event.start.date) !== Boolean(event.end.date)) {
    throw googleError(400, 'invalid', 'Start and end times must either both be date or both be dateTime.');
  }
  if (instantOf(event.end) < instantOf(event.start)) throw googleError(400, 'timeRangeEmpty', 'The specified time range is empty.');
}

/** the instant of an EventDateTime: dateTime with its offset, or local time in timeZone, or an all-day date at UTC midnight */
export function instantOf(time: EventDateTime | undefined): number {
  if (!time) return Number.NaN;
  if (time.dateTime) {
    if (hasOffset(time.dateTime)) return Date.parse(time.dateTime);
    return zonedToUtc(time.dateTime, time.timeZone ?? 'UTC');
  }
  return time.date ? Date.parse(`${time.date}T00:00:00Z`) : Number.NaN;
}

function hasOffset(dateTime: string): boolean {
  return /(Z|[+-]\d{2}:?\d{2})$/i.test(dateTime);
}

function zonedToUtc(local: string, timeZone: string): number {
  const asUtc = Date.parse(`${local}Z`);
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(new Date(asUtc));
    const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
    const shown = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
    return asUtc - (shown - asUtc);
  } catch {
    throw googleError(400, 'invalid', `Invalid time zone definition: ${timeZone}`);
  }
}

function parseBound(value: string, name: string): number {
  const instant = hasOffset(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(instant)) throw googleError(400, 'badRequest', `Bad Request: invalid ${name}`);
  return instant;
}

function propertyFilters(values: string | string[] | undefined, name: string): Array<[string, string]> {
  const list = values === undefined ? [] : Array.isArray(values) ? values : [values];
  return list.map((filter) => {
    const split = filter.indexOf('=');
    if (split <= 0) throw googleError(400, 'invalid', `Invalid value for: ${name}`);
    return [filter.slice(0, split), filter.slice(split + 1)];
  });
}

function mergePatch(target: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete target[key];
    else if (isPlainObject(value) && isPlainObject(target[key])) mergePatch(target[key], value);
    else target[key] = structuredClone(value);
  }
  return target;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** base32hex (0-9, a-v), the alphabet Google accepts for client-chosen event ids */
function newEventId(): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  return [...randomBytes(26)].map((byte) => alphabet[byte % 32]).join('');
}

function meetCode(seed: string): string {
  const letters = [...createHash('sha256').update(seed).update(randomBytes(4)).digest()].map((byte) => String.fromCharCode(97 + (byte % 26)));
  return `${letters.slice(0, 3).join('')}-${letters.slice(3, 7).join('')}-${letters.slice(7, 10).join('')}`;
}

function encodeToken(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function decodeToken<T>(token: string): T | undefined {
  try {
    const value = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}
