import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The first outcome of a request sent with our `Idempotency-Key` header, per user and key. */
@Entity('idempotency_records')
export class IdempotencyRecord {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId: string;

  @PrimaryColumn('text')
  key: string;

  @Column('text')
  operation: string;

  @Column('text', { name: 'request_hash' })
  requestHash: string;

  @Column('text')
  state: 'in_progress' | 'done';

  /** a JSON string sealed by SecretBox (the response holds client secrets); see IdempotencyService */
  @Column('jsonb', { nullable: true })
  response: unknown;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
