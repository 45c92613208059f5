import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A provider webhook event, stored once (unique provider + dedupe key). */
@Entity('video_webhook_events')
export class VideoWebhookEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  provider: string;

  @Column('text', { name: 'dedupe_key' })
  dedupeKey: string;

  @Column('text', { name: 'event_type' })
  eventType: string;

  @Column('text', { name: 'meeting_external_id', nullable: true })
  meetingExternalId: string | null;

  @Column('jsonb')
  payload: Record<string, unknown>;

  @Column('timestamptz', { name: 'received_at' })
  receivedAt: Date;
}
