import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Payments1764190000000 implements MigrationInterface {
  name = 'Payments1764190000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE therapy_sessions ADD COLUMN payment_status text NOT NULL DEFAULT 'unpaid'
        CHECK (payment_status IN ('unpaid', 'pending', 'paid', 'partially_refunded', 'refunded'))`);

    await db.query(`
      CREATE TABLE stripe_customers (
        user_id uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        stripe_customer_id text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);

    await db.query(`
      CREATE TABLE payments (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider text NOT NULL DEFAULT 'stripe',
        session_id uuid NOT NULL REFERENCES therapy_sessions(id),
        payer_id uuid NOT NULL REFERENCES users(id),
        therapist_id uuid NOT NULL REFERENCES users(id),
        client_id uuid NOT NULL REFERENCES users(id),
        provider_payment_id text NOT NULL UNIQUE,
        amount_minor bigint NOT NULL CHECK (amount_minor > 0),
        currency text NOT NULL,
        status text NOT NULL,
        amount_refunded_minor bigint NOT NULL DEFAULT 0,
        synced_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX payments_session_idx ON payments (session_id)`);
    await db.query(`CREATE INDEX payments_pending_idx ON payments (created_at)
      WHERE status NOT IN ('succeeded', 'canceled')`);

    await db.query(`
      CREATE TABLE subscriptions (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider text NOT NULL DEFAULT 'stripe',
        user_id uuid NOT NULL REFERENCES users(id),
        therapist_id uuid REFERENCES users(id),
        provider_subscription_id text NOT NULL UNIQUE,
        price_id text NOT NULL,
        session_frequency text NOT NULL,
        status text NOT NULL,
        current_period_end timestamptz,
        cancel_at_period_end boolean NOT NULL DEFAULT false,
        cancel_at timestamptz,
        synced_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX subscriptions_user_idx ON subscriptions (user_id, created_at DESC)`);

    // The seed's payment history. dedupe_key makes every row exactly-once (an event id, or one per terminal state).
    await db.query(`
      CREATE TABLE payment_logs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid REFERENCES users(id) ON DELETE SET NULL,
        therapist_id uuid REFERENCES users(id) ON DELETE SET NULL,
        session_id uuid REFERENCES therapy_sessions(id) ON DELETE SET NULL,
        event_type text NOT NULL,
        amount_minor bigint,
        currency text,
        status text NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        stripe_event_id text,
        dedupe_key text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX payment_logs_user_idx ON payment_logs (user_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX payment_logs_therapist_idx ON payment_logs (therapist_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX payment_logs_created_idx ON payment_logs (created_at DESC, id DESC)`);

    await db.query(`
      CREATE TABLE webhook_events (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        provider text NOT NULL DEFAULT 'stripe',
        provider_event_id text NOT NULL,
        type text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'processing', 'processed', 'failed', 'ignored')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        received_at timestamptz NOT NULL DEFAULT now(),
        processed_at timestamptz,
        CONSTRAINT webhook_events_provider_event_key UNIQUE (provider, provider_event_id)
      )`);
    await db.query(`CREATE INDEX webhook_events_status_idx ON webhook_events (status, received_at)
      WHERE status IN ('received', 'processing', 'failed')`);

    await db.query(`
      CREATE TABLE webhook_delivery_logs (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        webhook_id text NOT NULL,
        provider_event_id text,
        received_at timestamptz NOT NULL,
        signature_valid boolean NOT NULL,
        duplicate boolean NOT NULL DEFAULT false,
        status_code integer NOT NULL,
        duration_ms real NOT NULL,
        error text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX webhook_delivery_logs_webhook_idx ON webhook_delivery_logs (webhook_id, created_at DESC)`);

    await db.query(`
      CREATE TABLE idempotency_records (
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        key text NOT NULL,
        operation text NOT NULL,
        request_hash text NOT NULL,
        state text NOT NULL CHECK (state IN ('in_progress', 'done')),
        response jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, key)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['idempotency_records', 'webhook_delivery_logs', 'webhook_events', 'payment_logs', 'subscriptions', 'payments', 'stripe_customers']) {
      await db.query(`DROP TABLE ${table}`);
    }
    await db.query('ALTER TABLE therapy_sessions DROP COLUMN payment_status');
  }
}
