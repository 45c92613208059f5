import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One provider call: who, which provider, what, how it went and how long it took (the seed's integration_logs). */
@Entity('integration_logs')
export class IntegrationLog {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'user_id', nullable: true })
  userId: string | null;

  @Column('text')
  provider: string;

  @Column('text')
  action: string;

  @Column('text')
  status: 'success' | 'failure';

  @Column('text', { name: 'error_code', nullable: true })
  errorCode: string | null;

  @Column('integer', { name: 'duration_ms' })
  durationMs: number;

  @Column('uuid', { name: 'session_id', nullable: true })
  sessionId: string | null;

  /** non-sensitive facts only (ids, counts); never tokens, names or links */
  @Column('jsonb', { nullable: true })
  details: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
