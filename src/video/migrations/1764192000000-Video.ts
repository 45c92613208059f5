import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Video1764192000000 implements MigrationInterface {
  name = 'Video1764192000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE video_meetings (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES therapy_sessions(id) ON DELETE CASCADE,
        provider text NOT NULL CHECK (provider IN ('zoom', 'teams')),
        status text NOT NULL CHECK (status IN ('creating', 'active', 'deleted')),
        managed boolean NOT NULL,
        external_id text CHECK (length(external_id) <= 1024),
        external_uuid text CHECK (length(external_uuid) <= 256),
        event_id text CHECK (length(event_id) <= 1024),
        host_user_id uuid NOT NULL REFERENCES users(id),
        auth_mode text CHECK (auth_mode IN ('account', 'user')),
        join_url text CHECK (length(join_url) <= 2048),
        passcode_encrypted text,
        start_url_encrypted text,
        scheduled_start timestamptz,
        scheduled_end timestamptz,
        timezone text,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        deleted_at timestamptz
      )`);
    // One live room per session: a second create finds the first (or waits for it) instead of opening another.
    await db.query(`CREATE UNIQUE INDEX video_meetings_live_session_key ON video_meetings (session_id) WHERE status <> 'deleted'`);
    await db.query(`CREATE INDEX video_meetings_external_idx ON video_meetings (provider, external_id)`);

    await db.query(`
      CREATE TABLE video_webhook_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider text NOT NULL,
        dedupe_key text NOT NULL,
        event_type text NOT NULL,
        meeting_external_id text,
        payload jsonb NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT video_webhook_events_once UNIQUE (provider, dedupe_key)
      )`);
    await db.query(`CREATE INDEX video_webhook_events_meeting_idx ON video_webhook_events (provider, meeting_external_id, event_type)`);

    await db.query(`
      CREATE TABLE meeting_reminders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid NOT NULL REFERENCES therapy_sessions(id) ON DELETE CASCADE,
        slot text NOT NULL,
        session_start timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('sending', 'sent')),
        recipients integer NOT NULL DEFAULT 0,
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    // Automatic reminders go out once per session slot, even when jobs run twice or a session moves back and forth.
    await db.query(
      `CREATE UNIQUE INDEX meeting_reminders_slot_key ON meeting_reminders (session_id, slot, session_start) WHERE slot <> 'manual'`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE meeting_reminders');
    await db.query('DROP TABLE video_webhook_events');
    await db.query('DROP TABLE video_meetings');
  }
}
