import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Calendar1764191100000 implements MigrationInterface {
  name = 'Calendar1764191100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE calendar_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        session_id uuid REFERENCES therapy_sessions(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        connection_id uuid NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
        provider text NOT NULL,
        event_key text NOT NULL,
        provider_event_id text,
        calendar_ref text,
        etag text,
        state text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'synced', 'deleted', 'failed')),
        synced_start timestamptz,
        synced_end timestamptz,
        last_error text,
        last_synced_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT calendar_events_owner_key UNIQUE (user_id, provider, event_key)
      )`);
    await db.query(`CREATE INDEX calendar_events_session_idx ON calendar_events (session_id) WHERE session_id IS NOT NULL`);
    await db.query(`CREATE INDEX calendar_events_connection_idx ON calendar_events (connection_id)`);
    // Two-way awareness: what changed in an external calendar, shown with the session, never applied silently.
    await db.query(`ALTER TABLE therapy_sessions ADD COLUMN calendar_drift jsonb`);
    await db.query(`
      CREATE TABLE calendar_preferences (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        show_client_initials boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE calendar_preferences`);
    await db.query(`ALTER TABLE therapy_sessions DROP COLUMN calendar_drift`);
    await db.query(`DROP TABLE calendar_events`);
  }
}
