import type { Db } from 'pg-boss';
import type { EntityManager } from 'typeorm';

/**
 * pg-boss's `db` option over the caller's TypeORM transaction: the job row is inserted on that transaction's
 * connection, so it commits or rolls back with the caller's writes.
 */
export function transactionDb(manager: EntityManager): Db {
  const runner = manager.queryRunner;
  if (!runner?.isTransactionActive) {
    // Without a transaction the job would commit on its own, which is exactly what passing a manager is meant to rule out.
    throw new Error('JobQueue.enqueue: the manager given is not inside a transaction');
  }
  return {
    async executeSql(text: string, values?: unknown[]) {
      const result = await runner.query(text, values as any[] | undefined, true);
      return { rows: result.records ?? [] };
    },
  };
}
