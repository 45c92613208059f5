/**
 * Zoom meetings, their past instances (participants) and cloud recordings, in memory. Each meeting instance has its
 * own UUID (base64 of 16 bytes, so it may contain '/' or '+'); the meeting id is an 11-digit number.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SandboxUser } from '../core/oauth.js';

export interface ZoomUser {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  display_name: string;
}

export interface Participant {
  id: string;
  /** Zoom's participant_uuid, unique per join */
  participant_uuid: string;
  name: string;
  user_email: string;
  join_time: string;
  leave_time: string;
  duration: number;
}

export interface MeetingInstance {
  uuid: string;
  start_time: string;
  end_time: string;
  participants: Participant[];
  recording?: Record<string, unknown>;
}

export interface StoredZoomMeeting {
  meeting: Record<string, unknown> & { id: number; uuid: string; host_id: string; settings: Record<string, unknown> };
  hostEmail: string;
  deleted: boolean;
  instances: MeetingInstance[];
}

export const DEFAULT_MEETING_SETTINGS = {
  host_video: false,
  participant_video: false,
  cn_meeting: false,
  in_meeting: false,
  join_before_host: false,
  jbh_time: 0,
  mute_upon_entry: false,
  watermark: false,
  use_pmi: false,
  approval_type: 2,
  audio: 'voip',
  auto_recording: 'none',
  enforce_login: false,
  enforce_login_domains: '',
  alternative_hosts: '',
  alternative_hosts_email_notification: true,
  close_registration: false,
  show_share_button: false,
  allow_multiple_devices: false,
  registrants_confirmation_email: true,
  waiting_room: true,
  request_permission_to_unmute_participants: false,
  registrants_email_notification: true,
  meeting_authentication: false,
  encryption_type: 'enhanced_encryption',
  approved_or_denied_countries_or_regions: { enable: false },
  breakout_room: { enable: false },
  internal_meeting: false,
  continuous_meeting_chat: { enable: false, auto_add_invited_external_users: false },
  participant_focused_meeting: false,
  push_change_to_calendar: false,
  auto_start_meeting_summary: false,
  auto_start_ai_companion_questions: false,
  device_testing: false,
  email_notification: true,
  host_save_video_order: false,
  sign_language_interpretation: { enable: false },
  email_in_attendee_report: false,
} as const;

export function zoomUserOf(user: SandboxUser): ZoomUser {
  const [first, ...rest] = user.name.split(' ');
  return {
    id: createHash('sha256').update(user.email.toLowerCase()).digest('base64url').slice(0, 22),
    email: user.email,
    first_name: first ?? '',
    last_name: rest.join(' '),
    display_name: user.name,
  };
}

export function instanceUuid(): string {
  return randomBytes(16).toString('base64');
}

/** Zoom's start_time format: no milliseconds */
export function zoomTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class ZoomMeetings {
  private meetings = new Map<number, StoredZoomMeeting>();

  reset(): void {
    this.meetings.clear();
  }

  newId(): number {
    for (;;) {
      const id = 80_000_000_000 + Math.floor(Math.random() * 9_999_999_999);
      if (!this.meetings.has(id)) return id;
    }
  }

  add(stored: StoredZoomMeeting): void {
    this.meetings.set(stored.meeting.id, stored);
  }

  byId(id: number): StoredZoomMeeting | undefined {
    const stored = this.meetings.get(id);
    return stored && !stored.deleted ? stored : undefined;
  }

  ofHost(hostId: string): StoredZoomMeeting[] {
    return [...this.meetings.values()].filter((stored) => !stored.deleted && stored.meeting.host_id === hostId);
  }

  /** past instances stay reachable after the meeting is deleted, as in Zoom's reports */
  instance(uuidOrId: string): { stored: StoredZoomMeeting; instance: MeetingInstance } | undefined {
    for (const stored of this.meetings.values()) {
      if (/^\d+$/.test(uuidOrId) && stored.meeting.id === Number(uuidOrId)) {
        const instance = stored.instances.at(-1);
        return instance ? { stored, instance } : undefined;
      }
      const instance = stored.instances.find((candidate) => candidate.uuid === uuidOrId);
      if (instance) return { stored, instance };
    }
    return undefined;
  }
}
