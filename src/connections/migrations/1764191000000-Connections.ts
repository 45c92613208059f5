import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Connections1764191000000 implements MigrationInterface {
  name = 'Connections1764191000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE connections (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        provider text NOT NULL CHECK (provider IN ('google', 'outlook', 'apple', 'zoom', 'teams')),
        purpose text NOT NULL CHECK (purpose IN ('calendar', 'video')),
        account_email text,
        scopes text[] NOT NULL DEFAULT '{}',
        access_token_enc text,
        refresh_token_enc text,
        secret_enc text,
        expires_at timestamptz,
        status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'needs_reauth', 'error')),
        status_reason text,
        metadata jsonb NOT NULL DEFAULT '{}',
        last_synced_at timestamptz,
        connected_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT connections_user_provider_key UNIQUE (user_id, provider)
      )`);
    await db.query(`
      CREATE TABLE oauth_states (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        state_hash text NOT NULL UNIQUE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        provider text NOT NULL,
        purpose text NOT NULL,
        scopes text[] NOT NULL,
        code_verifier_enc text NOT NULL,
        expires_at timestamptz NOT NULL,
        consumed_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX oauth_states_expires_at_idx ON oauth_states (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE oauth_states`);
    await db.query(`DROP TABLE connections`);
  }
}
