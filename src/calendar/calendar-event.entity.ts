import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type CalendarEventState = 'pending' | 'synced' | 'deleted' | 'failed';

/** An event we put in someone's external calendar: for a therapy session (one per person and provider) or ad hoc. */
@Entity('calendar_events')
export class CalendarEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'session_id', nullable: true })
  sessionId: string | null;

  /** whose calendar */
  @Column('uuid', { name: 'user_id' })
  userId: string;

  @Column('uuid', { name: 'connection_id' })
  connectionId: string;

  @Column('text')
  provider: string;

  /** our idempotency key (the session id for session events); the provider id is derived from it */
  @Column('text', { name: 'event_key' })
  eventKey: string;

  @Column('text', { name: 'provider_event_id', nullable: true })
  providerEventId: string | null;

  /** Google calendar id, CalDAV calendar URL */
  @Column('text', { name: 'calendar_ref', nullable: true })
  calendarRef: string | null;

  @Column('text', { nullable: true })
  etag: string | null;

  @Column('text', { default: 'pending' })
  state: CalendarEventState;

  /** what we last wrote, to recognise a change made in the external calendar */
  @Column('timestamptz', { name: 'synced_start', nullable: true })
  syncedStart: Date | null;

  @Column('timestamptz', { name: 'synced_end', nullable: true })
  syncedEnd: Date | null;

  @Column('text', { name: 'last_error', nullable: true })
  lastError: string | null;

  @Column('timestamptz', { name: 'last_synced_at', nullable: true })
  lastSyncedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
