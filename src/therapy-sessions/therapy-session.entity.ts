import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export enum SessionStatus {
  Scheduled = 'scheduled',
  Cancelled = 'cancelled',
  Completed = 'completed',
}

export interface CalendarDriftEntry {
  provider: string;
  /** whose calendar the change was seen in */
  userId: string;
  change: 'deleted' | 'moved';
  start?: string;
  end?: string;
  detectedAt: string;
}

@Entity('therapy_sessions')
export class TherapySession {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'therapist_id' })
  therapistId: string;

  @Column('uuid', { name: 'client_id' })
  clientId: string;

  @Column('timestamptz', { name: 'start_time' })
  startTime: Date;

  @Column('timestamptz', { name: 'end_time' })
  endTime: Date;

  /** IANA zone the session is scheduled in; calendar events and meetings carry it */
  @Column('text')
  timezone: string;

  @Column('text', { default: SessionStatus.Scheduled })
  status: SessionStatus;

  @Column('timestamptz', { name: 'cancelled_at', nullable: true })
  cancelledAt: Date | null;

  /** maintained by the payment module (its migration adds the column); read-only here */
  @Column({ type: 'text', name: 'payment_status', insert: false, update: false })
  paymentStatus: string;

  /**
   * What the calendar module found changed in linked external calendars, keyed by `<provider>:<userId>`; read-only
   * here: nothing is changed silently, the session shows it.
   */
  @Column({ type: 'jsonb', name: 'calendar_drift', nullable: true, insert: false, update: false })
  calendarDrift: Record<string, CalendarDriftEntry> | null;

  @Column('uuid', { name: 'created_by' })
  createdBy: string;

  @VersionColumn()
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
