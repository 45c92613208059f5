import type { AttendanceRecord, CallRecording, Event } from '@microsoft/microsoft-graph-types';
import type { CreateMeetingInput, MeetingParticipant, MeetingRecording, MeetingSchedule } from '../video-provider.js';

/** Graph dateTimeTimeZone in UTC: the instant is exact and Outlook shows it in each reader's own zone. */
function graphUtc(date: Date) {
  return { dateTime: date.toISOString().replace(/Z$/, ''), timeZone: 'UTC' };
}

export function toGraphSchedule(schedule: MeetingSchedule): Pick<Event, 'start' | 'end'> {
  return { start: graphUtc(schedule.start), end: graphUtc(schedule.end) };
}

/**
 * A calendar event with a Teams meeting, not a standalone onlineMeeting: only event meetings get recordings and
 * attendance in Graph. The transactionId makes Graph ignore a retried POST of the same event.
 */
export function toGraphEvent(input: CreateMeetingInput): Event {
  return {
    subject: input.topic,
    body: { contentType: 'text', content: '' },
    ...toGraphSchedule(input),
    isOnlineMeeting: true,
    onlineMeetingProvider: 'teamsForBusiness',
    allowNewTimeProposals: false,
    sensitivity: 'private',
    transactionId: `video-${input.sessionId}`,
  };
}

export function fromAttendanceRecord(record: AttendanceRecord, index: number): MeetingParticipant {
  const intervals = record.attendanceIntervals ?? [];
  const joins = intervals.map((interval) => interval.joinDateTime).filter((value): value is string => Boolean(value)).sort();
  const leaves = intervals.map((interval) => interval.leaveDateTime).filter((value): value is string => Boolean(value)).sort();
  return {
    id: record.id ?? `attendee-${index + 1}`,
    name: record.identity?.displayName || null,
    email: record.emailAddress || null,
    joinTime: joins[0] ?? null,
    leaveTime: leaves.at(-1) ?? null,
    duration: Math.round((record.totalAttendanceInSeconds ?? 0) / 60),
  };
}

export function fromCallRecording(recording: CallRecording, index: number): MeetingRecording {
  return {
    id: recording.id ?? `recording-${index + 1}`,
    // Teams records meetings as MP4; Graph gives no size or player link, only the content URL
    fileType: 'mp4',
    fileSize: null,
    playUrl: null,
    downloadUrl: recording.recordingContentUrl ?? null,
    recordingStart: recording.createdDateTime ?? null,
    recordingEnd: recording.endDateTime ?? null,
  };
}
