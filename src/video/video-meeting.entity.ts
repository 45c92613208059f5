import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { VideoProviderName } from './video-errors.js';

export enum MeetingStatus {
  /** claimed by a create request that is still talking to the provider */
  Creating = 'creating',
  Active = 'active',
  Deleted = 'deleted',
}

/** The video room of a therapy session (at most one live per session). */
@Entity('video_meetings')
export class VideoMeeting {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'session_id' })
  sessionId: string;

  @Column('text')
  provider: VideoProviderName;

  @Column('text')
  status: MeetingStatus;

  /** created by us at the provider (so we update and delete it there); false for a room entered by hand (PUT) */
  @Column('boolean')
  managed: boolean;

  /** Zoom meeting id (number as text) or the Teams onlineMeeting id */
  @Column('text', { name: 'external_id', nullable: true })
  externalId: string | null;

  /** Zoom meeting uuid (past-meeting participants are keyed by it) */
  @Column('text', { name: 'external_uuid', nullable: true })
  externalUuid: string | null;

  /** Teams: the Outlook event that carries the meeting */
  @Column('text', { name: 'event_id', nullable: true })
  eventId: string | null;

  /** the user whose provider account hosts the meeting (the session's therapist) */
  @Column('uuid', { name: 'host_user_id' })
  hostUserId: string;

  /** how the provider was reached: 'account' (Zoom server-to-server) or 'user' (the host's own connection) */
  @Column('text', { name: 'auth_mode', nullable: true })
  authMode: 'account' | 'user' | null;

  @Column('text', { name: 'join_url', nullable: true })
  joinUrl: string | null;

  /** AES-256-GCM, see MeetingSecrets */
  @Column('text', { name: 'passcode_encrypted', nullable: true })
  passcodeEncrypted: string | null;

  /** AES-256-GCM: the start URL gives host rights */
  @Column('text', { name: 'start_url_encrypted', nullable: true })
  startUrlEncrypted: string | null;

  /** the times the provider has, to tell whether a session change still needs to reach it */
  @Column('timestamptz', { name: 'scheduled_start', nullable: true })
  scheduledStart: Date | null;

  @Column('timestamptz', { name: 'scheduled_end', nullable: true })
  scheduledEnd: Date | null;

  @Column('text', { nullable: true })
  timezone: string | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt: Date | null;
}
