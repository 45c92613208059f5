import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Foundation1764187200000 implements MigrationInterface {
  name = 'Foundation1764187200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        role text NOT NULL CHECK (role IN ('client', 'therapist', 'admin')),
        time_zone text NOT NULL,
        therapist_id uuid REFERENCES users(id) ON DELETE SET NULL,
        password_hash text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX users_email_lower_key ON users (lower(email))`);
    await db.query(`CREATE INDEX users_therapist_id_idx ON users (therapist_id) WHERE therapist_id IS NOT NULL`);

    await db.query(`
      CREATE TABLE therapy_sessions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        therapist_id uuid NOT NULL REFERENCES users(id),
        client_id uuid NOT NULL REFERENCES users(id),
        start_time timestamptz NOT NULL,
        end_time timestamptz NOT NULL,
        timezone text NOT NULL,
        status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled', 'completed')),
        cancelled_at timestamptz,
        created_by uuid NOT NULL REFERENCES users(id),
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT therapy_sessions_time_order CHECK (end_time > start_time),
        CONSTRAINT therapy_sessions_max_length CHECK (end_time - start_time <= interval '12 hours')
      )`);
    await db.query(`CREATE INDEX therapy_sessions_therapist_start_idx ON therapy_sessions (therapist_id, start_time DESC)`);
    await db.query(`CREATE INDEX therapy_sessions_client_start_idx ON therapy_sessions (client_id, start_time DESC)`);

    await db.query(`
      CREATE TABLE integration_logs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        provider text NOT NULL,
        action text NOT NULL,
        status text NOT NULL CHECK (status IN ('success', 'failure')),
        error_code text,
        duration_ms integer NOT NULL,
        session_id uuid REFERENCES therapy_sessions(id) ON DELETE SET NULL,
        details jsonb,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX integration_logs_user_created_idx ON integration_logs (user_id, created_at DESC)`);

    await db.query(`
      CREATE TABLE phi_access_logs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        actor_id uuid NOT NULL REFERENCES users(id),
        actor_role text NOT NULL,
        action text NOT NULL,
        resource_type text NOT NULL,
        resource_id text,
        session_id uuid REFERENCES therapy_sessions(id) ON DELETE SET NULL,
        request_id text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX phi_access_logs_session_idx ON phi_access_logs (session_id, created_at DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE phi_access_logs');
    await db.query('DROP TABLE integration_logs');
    await db.query('DROP TABLE therapy_sessions');
    await db.query('DROP TABLE users');
  }
}
