import type { Database } from './database';

/** A connection of the pool held by one caller until it is released. */
export type ReservedConnection = Awaited<ReturnType<Database['reserve']>>;

/**
 * Runs `fn` in one transaction on a connection reserved BEFORE `BEGIN` is sent, then commits (or rolls back
 * and rethrows). Not `sql.begin`: postgres.js 3.4.9 reserves the connection only after writing `BEGIN`, and
 * skips that step when `BEGIN` is queued behind another query on a busy connection, so under load a
 * transaction could share its connection with other callers' statements (UNSAFE_TRANSACTION;
 * porsager/postgres#823, #1189). test/integration/transaction.test.ts reproduces it.
 */
export async function inTransaction<T>(db: Database, fn: (tx: ReservedConnection) => Promise<T>): Promise<T> {
  const tx = await db.reserve();
  try {
    await tx`BEGIN`;
    let result: T;
    try {
      result = await fn(tx);
    } catch (error) {
      await tx`ROLLBACK`.catch(() => {}); // a dead connection has no transaction left to roll back
      throw error;
    }
    await tx`COMMIT`;
    return result;
  } finally {
    tx.release();
  }
}
