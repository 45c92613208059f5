import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One reminder round for a session slot; the unique (session, slot, start) row is what makes "never twice" hold. */
@Entity('meeting_reminders')
export class MeetingReminder {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'session_id' })
  sessionId: string;

  /** '1440m', '60m' (minutes before start) or 'manual' */
  @Column('text')
  slot: string;

  @Column('timestamptz', { name: 'session_start' })
  sessionStart: Date;

  @Column('text')
  status: 'sending' | 'sent';

  @Column('integer', { default: 0 })
  recipients: number;

  @Column('timestamptz', { name: 'sent_at', nullable: true })
  sentAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
