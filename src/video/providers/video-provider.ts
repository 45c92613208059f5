import type { VideoProviderName } from '../video-errors.js';

export type RecordingPolicy = 'none' | 'local' | 'cloud';

/** Who hosts the room and how we reach their provider account. */
export interface MeetingHost {
  userId: string;
  email: string;
}

export interface MeetingSchedule {
  start: Date;
  end: Date;
  /** IANA zone of the session */
  timezone: string;
}

export interface CreateMeetingInput extends MeetingSchedule {
  sessionId: string;
  host: MeetingHost;
  /** no client names or clinical detail: providers and their calendars are outside our BAA scope by default */
  topic: string;
  recording: RecordingPolicy;
}

/** What a provider answered for a new room. */
export interface CreatedMeeting {
  externalId: string;
  externalUuid: string | null;
  eventId: string | null;
  joinUrl: string;
  startUrl: string | null;
  passcode: string | null;
  authMode: 'account' | 'user';
}

/** A stored room, as a provider needs it for later calls. */
export interface MeetingRef {
  sessionId: string;
  host: MeetingHost;
  externalId: string;
  externalUuid: string | null;
  eventId: string | null;
  authMode: 'account' | 'user' | null;
}

/** The seed's participant shape. Names and emails may be missing (HIPAA accounts omit them). */
export interface MeetingParticipant {
  id: string;
  name: string | null;
  email: string | null;
  joinTime: string | null;
  leaveTime: string | null;
  /** minutes */
  duration: number;
}

/** The seed's recording shape. */
export interface MeetingRecording {
  id: string;
  fileType: string | null;
  fileSize: number | null;
  playUrl: string | null;
  downloadUrl: string | null;
  recordingStart: string | null;
  recordingEnd: string | null;
}

/**
 * The contract every video provider implements; the abstract class is its own DI token. Providers throw
 * VideoProviderError (seed code + reason), never HTTP exceptions, and retry 429/5xx themselves a few times.
 */
export abstract class VideoProvider {
  abstract readonly name: VideoProviderName;

  /** Throws PROVIDER_NOT_CONFIGURED when the practice has no credentials for it and the host no connection. */
  abstract createMeeting(input: CreateMeetingInput): Promise<CreatedMeeting>;

  abstract updateMeeting(ref: MeetingRef, schedule: MeetingSchedule): Promise<void>;

  /** A meeting already gone at the provider counts as deleted. */
  abstract deleteMeeting(ref: MeetingRef): Promise<void>;

  /** Every page. */
  abstract listParticipants(ref: MeetingRef): Promise<MeetingParticipant[]>;

  abstract listRecordings(ref: MeetingRef): Promise<MeetingRecording[]>;
}
