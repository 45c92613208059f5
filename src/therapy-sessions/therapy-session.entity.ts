import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn, VersionColumn } from 'typeorm';

export enum SessionStatus {
  Scheduled = 'scheduled',
  Cancelled = 'cancelled',
  Completed = 'completed',
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

  @Column('uuid', { name: 'created_by' })
  createdBy: string;

  @VersionColumn()
  version: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
