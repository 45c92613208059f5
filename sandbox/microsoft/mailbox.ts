/**
 * In-memory Outlook calendars and Teams meetings of the sandbox tenant, with the Graph behaviours the app depends
 * on: Teams links for events created with isOnlineMeeting, single-value extended properties, change listeners
 * (for subscriptions) and simulated meeting attendance and recordings.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type {
  AttendanceRecord,
  Identity,
  CallRecording,
  Event,
  MeetingAttendanceReport,
  OnlineMeeting,
  SingleValueLegacyExtendedProperty,
} from '@microsoft/microsoft-graph-types';
import type { Account } from './directory.js';

export interface StoredEvent {
  ownerId: string;
  event: Event;
  extendedProperties: SingleValueLegacyExtendedProperty[];
  meetingId?: string;
}

export interface StoredMeeting {
  ownerId: string;
  meeting: OnlineMeeting;
  /** set for meetings made by creating a calendar event (only those have recordings in Graph) */
  eventId?: string;
  reports: { report: MeetingAttendanceReport; records: AttendanceRecord[] }[];
  recordings: CallRecording[];
}

export type ChangeType = 'created' | 'updated' | 'deleted';
export type ChangeListener = (owner: Account, changeType: ChangeType, event: Event) => void;

export interface SimulatedAttendee {
  email: string;
  displayName?: string;
  role?: 'Organizer' | 'Presenter' | 'Attendee';
  /** seconds after the meeting start (default 0) */
  joinOffsetSeconds?: number;
  /** default 3000 */
  durationSeconds?: number;
}

const WRITABLE_FIELDS = [
  'subject',
  'body',
  'start',
  'end',
  'location',
  'locations',
  'attendees',
  'isAllDay',
  'showAs',
  'sensitivity',
  'importance',
  'categories',
  'reminderMinutesBeforeStart',
  'isReminderOn',
  'responseRequested',
  'allowNewTimeProposals',
  'hideAttendees',
  'recurrence',
  'transactionId',
] as const;

function outlookId(): string {
  return `AAMkAGI2${randomBytes(96).toString('base64url').replace(/[-_]/g, 'A')}=`;
}

function changeKey(): string {
  return randomBytes(16).toString('base64');
}

function bodyPreview(event: Event): string {
  const content = event.body?.content ?? '';
  return content.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 255);
}

function utcDateTime(value: { dateTime?: string | null } | null | undefined): string {
  const text = value?.dateTime ?? new Date().toISOString();
  return new Date(/[zZ]|[+-]\d\d:\d\d$/.test(text) ? text : `${text}Z`).toISOString();
}

/** Teams meeting ids are base64 of "1*{organizer oid}*0**19:meeting_{thread}@thread.v2"; keep them URL-safe */
function meetingIdFor(organizerId: string): { id: string; thread: string } {
  for (;;) {
    const thread = `19:meeting_${randomBytes(36).toString('base64url').replace(/[-_]/g, 'Z')}@thread.v2`;
    const id = Buffer.from(`1*${organizerId}*0**${thread}`).toString('base64');
    if (/^[A-Za-z0-9]+$/.test(id)) return { id, thread };
  }
}

export class Mailbox {
  private events = new Map<string, StoredEvent>();
  private meetings = new Map<string, StoredMeeting>();
  private listeners: ChangeListener[] = [];

  constructor(private readonly now: () => number) {}

  reset(): void {
    this.events.clear();
    this.meetings.clear();
  }

  onChange(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  private emit(owner: Account, changeType: ChangeType, event: Event): void {
    for (const listener of this.listeners) listener(owner, changeType, event);
  }

  private iso(): string {
    return new Date(this.now()).toISOString().replace('Z', '0000Z');
  }

  eventsOf(ownerId: string): StoredEvent[] {
    return [...this.events.values()].filter((stored) => stored.ownerId === ownerId);
  }

  event(ownerId: string, id: string): StoredEvent | undefined {
    const stored = this.events.get(id);
    return stored && stored.ownerId === ownerId ? stored : undefined;
  }

  findEvent(id: string): StoredEvent | undefined {
    return this.events.get(id);
  }

  createEvent(owner: Account, input: Event): StoredEvent {
    const now = this.iso();
    const id = outlookId();
    const event: Event = {
      id,
      createdDateTime: now,
      lastModifiedDateTime: now,
      changeKey: changeKey(),
      categories: [],
      transactionId: null,
      originalStartTimeZone: input.start?.timeZone ?? 'UTC',
      originalEndTimeZone: input.end?.timeZone ?? 'UTC',
      iCalUId: `040000008200E00074C5B7101A82E008000000${randomBytes(28).toString('hex').toUpperCase()}`,
      reminderMinutesBeforeStart: 15,
      isReminderOn: true,
      hasAttachments: false,
      subject: '',
      bodyPreview: '',
      importance: 'normal',
      sensitivity: 'normal',
      isAllDay: false,
      isCancelled: false,
      isOrganizer: true,
      responseRequested: true,
      seriesMasterId: null,
      showAs: 'busy',
      type: 'singleInstance',
      webLink: `https://outlook.office365.com/owa/?itemid=${encodeURIComponent(id)}&exvsurl=1&path=/calendar/item`,
      onlineMeetingUrl: null,
      isOnlineMeeting: false,
      onlineMeetingProvider: 'unknown',
      allowNewTimeProposals: true,
      isDraft: false,
      hideAttendees: false,
      recurrence: null,
      onlineMeeting: null,
      responseStatus: { response: 'organizer', time: '0001-01-01T00:00:00Z' },
      body: { contentType: 'html', content: '' },
      start: { dateTime: '', timeZone: 'UTC' },
      end: { dateTime: '', timeZone: 'UTC' },
      location: { displayName: '', locationType: 'default', uniqueIdType: 'unknown', address: {}, coordinates: {} },
      locations: [],
      attendees: [],
      organizer: { emailAddress: { name: owner.displayName, address: owner.email } },
    };
    this.applyWritable(event, input);
    event.bodyPreview = bodyPreview(event);
    const stored: StoredEvent = {
      ownerId: owner.id,
      event,
      extendedProperties: (input.singleValueExtendedProperties ?? []).map((property) => ({
        id: property.id,
        value: property.value,
      })),
    };
    this.events.set(id, stored);
    if (input.isOnlineMeeting) this.attachOnlineMeeting(owner, stored, input.onlineMeetingProvider ?? undefined);
    this.emit(owner, 'created', event);
    return stored;
  }

  updateEvent(
    owner: Account,
    stored: StoredEvent,
    input: Event,
  ): StoredEvent {
    this.applyWritable(stored.event, input);
    for (const property of input.singleValueExtendedProperties ?? []) {
      const existing = stored.extendedProperties.find((candidate) => candidate.id === property.id);
      if (existing) existing.value = property.value;
      else stored.extendedProperties.push({ id: property.id, value: property.value });
    }
    if (input.isOnlineMeeting && !stored.meetingId) {
      this.attachOnlineMeeting(owner, stored, input.onlineMeetingProvider ?? undefined);
    }
    this.touch(stored);
    this.emit(owner, 'updated', stored.event);
    return stored;
  }

  deleteEvent(owner: Account, stored: StoredEvent): void {
    this.events.delete(stored.event.id!);
    this.emit(owner, 'deleted', stored.event);
  }

  private touch(stored: StoredEvent): void {
    stored.event.lastModifiedDateTime = this.iso();
    stored.event.changeKey = changeKey();
    stored.event.bodyPreview = bodyPreview(stored.event);
    const meeting = stored.meetingId ? this.meetings.get(stored.meetingId) : undefined;
    if (meeting) {
      meeting.meeting.startDateTime = utcDateTime(stored.event.start);
      meeting.meeting.endDateTime = utcDateTime(stored.event.end);
      meeting.meeting.subject = stored.event.subject;
    }
  }

  private applyWritable(event: Event, input: Event): void {
    const target = event as Record<string, unknown>;
    const source = input as Record<string, unknown>;
    for (const key of WRITABLE_FIELDS) if (source[key] !== undefined) target[key] = source[key];
    if (input.start?.timeZone) event.originalStartTimeZone = input.start.timeZone;
    if (input.end?.timeZone) event.originalEndTimeZone = input.end.timeZone;
    if (input.attendees) {
      event.attendees = input.attendees.map((attendee) => ({
        type: attendee.type ?? 'required',
        status: { response: 'none', time: '0001-01-01T00:00:00Z' },
        emailAddress: attendee.emailAddress,
      }));
    }
  }

  /**
   * Graph creates the Teams meeting only for work or school accounts. A personal account gets the event without a
   * meeting: isOnlineMeeting false, provider unknown, onlineMeeting null (what Graph answers for outlook.com users).
   */
  private attachOnlineMeeting(owner: Account, stored: StoredEvent, provider: string | undefined): void {
    if (owner.personal || (provider !== undefined && provider !== 'teamsForBusiness')) {
      stored.event.isOnlineMeeting = false;
      stored.event.onlineMeetingProvider = 'unknown';
      stored.event.onlineMeeting = null;
      return;
    }
    const meeting = this.createMeeting(owner, {
      subject: stored.event.subject,
      startDateTime: utcDateTime(stored.event.start),
      endDateTime: utcDateTime(stored.event.end),
    });
    meeting.eventId = stored.event.id!;
    stored.meetingId = meeting.meeting.id!;
    stored.event.isOnlineMeeting = true;
    stored.event.onlineMeetingProvider = 'teamsForBusiness';
    stored.event.onlineMeeting = {
      joinUrl: meeting.meeting.joinWebUrl,
      conferenceId: meeting.meeting.joinMeetingIdSettings?.joinMeetingId ?? null,
      tollNumber: null,
    };
  }

  createMeeting(owner: Account, input: OnlineMeeting): StoredMeeting {
    const { id, thread } = meetingIdFor(owner.id);
    // Teams writes percent-escapes in lower case: 19%3ameeting_...%40thread.v2
    const escape = (text: string) => encodeURIComponent(text).replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase());
    const context = escape(JSON.stringify({ Tid: owner.tenantId, Oid: owner.id }));
    const joinWebUrl = `https://teams.microsoft.com/l/meetup-join/${escape(thread)}/0?context=${context}`;
    const start = input.startDateTime ?? new Date(this.now()).toISOString();
    const meeting: OnlineMeeting = {
      id,
      creationDateTime: new Date(this.now()).toISOString(),
      startDateTime: start,
      endDateTime: input.endDateTime ?? new Date(Date.parse(start) + 3600_000).toISOString(),
      joinWebUrl,
      subject: input.subject ?? null,
      isBroadcast: false,
      isEntryExitAnnounced: true,
      allowedPresenters: 'everyone',
      allowMeetingChat: 'enabled',
      allowTeamworkReactions: true,
      allowAttendeeToEnableMic: true,
      allowAttendeeToEnableCamera: true,
      recordAutomatically: input.recordAutomatically ?? false,
      videoTeleconferenceId: null,
      externalId: input.externalId ?? null,
      joinMeetingIdSettings: {
        isPasscodeRequired: true,
        joinMeetingId: String(200000000000 + Math.floor(Math.random() * 799999999999)),
        passcode: randomBytes(4).toString('base64url').slice(0, 6),
      },
      lobbyBypassSettings: { scope: 'organization', isDialInBypassEnabled: false },
      participants: {
        organizer: {
          upn: owner.email,
          role: 'presenter',
          identity: {
            user: { id: owner.id, displayName: null, tenantId: owner.tenantId, identityProvider: 'AAD' } as Identity,
          },
        },
        attendees: input.participants?.attendees ?? [],
      },
      chatInfo: { threadId: thread, messageId: '0', replyChainMessageId: null },
    };
    const stored: StoredMeeting = { ownerId: owner.id, meeting, reports: [], recordings: [] };
    this.meetings.set(id, stored);
    return stored;
  }

  meeting(ownerId: string, id: string): StoredMeeting | undefined {
    const stored = this.meetings.get(id);
    return stored && stored.ownerId === ownerId ? stored : undefined;
  }

  meetingByJoinUrl(ownerId: string, joinWebUrl: string): StoredMeeting | undefined {
    const wanted = decodeURIComponent(joinWebUrl).toLowerCase();
    return [...this.meetings.values()].find(
      (stored) =>
        stored.ownerId === ownerId && decodeURIComponent(stored.meeting.joinWebUrl ?? '').toLowerCase() === wanted,
    );
  }

  /** the control "a meeting happened": one attendance report (and a recording for event meetings) */
  simulateMeeting(
    owner: Account,
    stored: StoredMeeting,
    attendees: SimulatedAttendee[],
    options: { recording?: boolean; baseUrl: string },
  ): { report: MeetingAttendanceReport; records: AttendanceRecord[]; recording?: CallRecording } {
    const start = Date.parse(stored.meeting.startDateTime ?? new Date(this.now()).toISOString());
    const records: AttendanceRecord[] = attendees.map((attendee) => {
      const joined = start + (attendee.joinOffsetSeconds ?? 0) * 1000;
      const duration = attendee.durationSeconds ?? 3000;
      return {
        id: randomUUID(),
        emailAddress: attendee.email,
        totalAttendanceInSeconds: duration,
        role: attendee.role ?? (attendee.email.toLowerCase() === owner.email.toLowerCase() ? 'Organizer' : 'Attendee'),
        registrationId: null,
        identity: { id: randomUUID(), displayName: attendee.displayName ?? attendee.email, tenantId: null } as AttendanceRecord['identity'],
        attendanceIntervals: [
          {
            joinDateTime: new Date(joined).toISOString(),
            leaveDateTime: new Date(joined + duration * 1000).toISOString(),
            durationInSeconds: duration,
          },
        ],
      };
    });
    const end = Math.max(
      start,
      ...records.map((record) => Date.parse(record.attendanceIntervals![0].leaveDateTime!)),
    );
    const report: MeetingAttendanceReport = {
      id: randomUUID(),
      totalParticipantCount: records.length,
      meetingStartDateTime: new Date(start).toISOString(),
      meetingEndDateTime: new Date(end).toISOString(),
    };
    stored.reports.push({ report, records });
    let recording: CallRecording | undefined;
    if (options.recording !== false) {
      const id = randomUUID();
      recording = {
        id,
        meetingId: stored.meeting.id,
        callId: randomUUID(),
        contentCorrelationId: randomUUID(),
        createdDateTime: new Date(end).toISOString(),
        endDateTime: new Date(end).toISOString(),
        recordingContentUrl: `${options.baseUrl}/v1.0/users/${owner.id}/onlineMeetings/${stored.meeting.id}/recordings/${id}/content`,
        meetingOrganizer: { user: { id: owner.id, displayName: null, tenantId: owner.tenantId } } as CallRecording['meetingOrganizer'],
      };
      stored.recordings.push(recording);
    }
    return { report, records, recording };
  }

  /** "the user moved the event in Outlook": changes made outside the app, which subscriptions report */
  moveEvent(owner: Account, stored: StoredEvent, start: Event['start'], end: Event['end']): void {
    stored.event.start = start;
    stored.event.end = end;
    this.touch(stored);
    this.emit(owner, 'updated', stored.event);
  }
}
