import { roomMarker } from '../room-marker.js';
import type { CreateMeetingInput, CreatedMeeting, MeetingParticipant, MeetingRecording, MeetingSchedule } from '../video-provider.js';

/** The parts of Zoom's meeting object we read (POST /users/{userId}/meetings 201). */
export interface ZoomMeeting {
  id: number;
  uuid: string;
  host_id?: string;
  join_url: string;
  start_url: string;
  password?: string;
}

/** GET /users/{userId}/meetings: one page of the host's meetings, without start_url or password */
export interface ZoomMeetingList {
  next_page_token?: string;
  meetings?: Array<{ id: number; agenda?: string }>;
}

export interface ZoomParticipant {
  id?: string;
  user_id?: string;
  participant_uuid?: string;
  registrant_id?: string;
  name?: string;
  user_email?: string;
  join_time?: string;
  leave_time?: string;
  /** seconds */
  duration?: number;
}

export interface ZoomParticipantsPage {
  next_page_token?: string;
  participants?: ZoomParticipant[];
}

export interface ZoomRecordingFile {
  id?: string;
  file_type?: string;
  file_size?: number;
  play_url?: string;
  download_url?: string;
  recording_start?: string;
  recording_end?: string;
}

/** Zoom wants local wall time without offset plus `timezone`, or UTC with Z; UTC avoids any DST ambiguity. */
export function zoomStartTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function zoomDurationMinutes(schedule: MeetingSchedule): number {
  return Math.max(1, Math.round((schedule.end.getTime() - schedule.start.getTime()) / 60_000));
}

export function toZoomMeetingBody(input: CreateMeetingInput, password: string) {
  return {
    topic: input.topic,
    type: 2,
    start_time: zoomStartTime(input.start),
    duration: zoomDurationMinutes(input),
    timezone: input.timezone,
    // shown to participants as the meeting's description: the opaque marker only
    agenda: roomMarker(input.sessionId),
    password,
    settings: {
      waiting_room: true,
      join_before_host: false,
      approval_type: 2,
      mute_upon_entry: true,
      // recording a therapy session needs the client's consent: off unless the practice's policy turns it on
      auto_recording: input.recording,
      meeting_authentication: false,
    },
  };
}

export function toZoomScheduleBody(schedule: MeetingSchedule) {
  return { start_time: zoomStartTime(schedule.start), duration: zoomDurationMinutes(schedule), timezone: schedule.timezone };
}

export function fromZoomMeeting(meeting: ZoomMeeting, authMode: 'account' | 'user'): CreatedMeeting {
  return {
    externalId: String(meeting.id),
    externalUuid: meeting.uuid ?? null,
    eventId: null,
    joinUrl: meeting.join_url,
    startUrl: meeting.start_url ?? null,
    passcode: meeting.password ?? null,
    authMode,
  };
}

/** HIPAA (BAA) accounts leave names and emails out: empty strings become null, never a guess. */
export function fromZoomParticipant(participant: ZoomParticipant, index: number): MeetingParticipant {
  return {
    id: participant.id || participant.participant_uuid || participant.user_id || participant.registrant_id || `participant-${index + 1}`,
    name: participant.name || null,
    email: participant.user_email || null,
    joinTime: participant.join_time ?? null,
    leaveTime: participant.leave_time ?? null,
    duration: Math.round((participant.duration ?? 0) / 60),
  };
}

export function fromZoomRecordingFile(file: ZoomRecordingFile, index: number): MeetingRecording {
  return {
    id: file.id ?? `recording-${index + 1}`,
    fileType: file.file_type ? file.file_type.toLowerCase() : null,
    fileSize: file.file_size ?? null,
    playUrl: file.play_url ?? null,
    downloadUrl: file.download_url ?? null,
    recordingStart: file.recording_start ?? null,
    recordingEnd: file.recording_end ?? null,
  };
}

/**
 * Zoom decodes a UUID path segment twice when it begins with '/' or contains '//': such UUIDs must be
 * double-encoded, others encoded once.
 */
export function zoomUuidSegment(uuid: string): string {
  const once = encodeURIComponent(uuid);
  return uuid.startsWith('/') || uuid.includes('//') ? encodeURIComponent(once) : once;
}
