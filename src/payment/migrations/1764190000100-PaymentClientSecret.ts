import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A repeated intent request for a session returns the intent already open for it; keeping its client secret lets us
 * answer that without asking Stripe again. Rows written before this (or adopted from a webhook) have none.
 */
export class PaymentClientSecret1764190000100 implements MigrationInterface {
  name = 'PaymentClientSecret1764190000100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE payments ADD COLUMN client_secret text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE payments DROP COLUMN client_secret`);
  }
}
