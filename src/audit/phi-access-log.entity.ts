import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** Who read protected health information (attendance, recordings, ...), when, and about which session. */
@Entity('phi_access_logs')
export class PhiAccessLog {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('uuid', { name: 'actor_id' })
  actorId: string;

  @Column('text', { name: 'actor_role' })
  actorRole: string;

  @Column('text')
  action: string;

  @Column('text', { name: 'resource_type' })
  resourceType: string;

  @Column('text', { name: 'resource_id', nullable: true })
  resourceId: string | null;

  @Column('uuid', { name: 'session_id', nullable: true })
  sessionId: string | null;

  @Column('text', { name: 'request_id', nullable: true })
  requestId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
