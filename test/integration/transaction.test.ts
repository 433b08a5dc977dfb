import { type Database, openDatabase } from '../../lambdas/shared/adapters/postgres/database';
import { inTransaction, type ReservedConnection } from '../../lambdas/shared/adapters/postgres/transaction';
import { createTestDatabase, type TestDatabase } from '../support/database';

type Transaction = <T>(db: Database, fn: (tx: ReservedConnection) => Promise<T>) => Promise<T>;
const viaBegin: Transaction = (db, fn) => db.begin((tx) => fn(tx as unknown as ReservedConnection)) as never;

/**
 * Every connection busy with a full pipeline less one, then transactions: the first BEGIN on each
 * connection is the query that fills it, the case postgres.js 3.4.9 gets wrong. The pool's
 * connections are open first (a warm-up), and the busy queries are sent before the transactions start
 * (`.execute()`: a postgres.js query is otherwise sent on the next tick, after them).
 */
async function busyThenTransactions(db: Database, transaction: Transaction, round: number) {
  const busy = [1, 2, 3].map(() => db`SELECT pg_sleep(0.1)`.execute());
  // 99 more behind each: the next query sent to a connection fills its pipeline (postgres.js: 100).
  const queued = Array.from({ length: 3 * 99 }, () => db`SELECT 1`.execute());
  const txs = Array.from({ length: 5 }, () =>
    transaction(db, async (tx) => {
      const [a] = await tx<{ txid: string }[]>`SELECT txid_current()::text AS txid`;
      await tx`INSERT INTO tx_probe (n) VALUES (${round})`;
      const [b] = await tx<{ txid: string }[]>`SELECT txid_current()::text AS txid`;
      if (a?.txid !== b?.txid) throw new Error(`statements ran in two transactions (${a?.txid}, ${b?.txid})`);
    }),
  );
  const settled = await Promise.allSettled([...busy, ...queued, ...txs]);
  return settled.flatMap((s) => (s.status === 'rejected' ? [String(s.reason)] : []));
}

describe('transactions on a busy pool', () => {
  let test: TestDatabase;
  let db: Database;
  beforeEach(async () => {
    test = await createTestDatabase({ migrate: false });
    db = openDatabase(test.url, { max: 3 });
    await db`CREATE TABLE tx_probe (id serial PRIMARY KEY, n int NOT NULL)`;
    await Promise.all([1, 2, 3].map(() => db`SELECT pg_sleep(0.05)`)); // all three connections open
  });
  afterEach(async () => {
    await db.end({ timeout: 5 });
    await test.drop();
  });

  it('postgres.js sql.begin fails there (why inTransaction exists)', async () => {
    const errors = await busyThenTransactions(db, viaBegin, 1);
    expect(errors.join('\n')).toMatch(/UNSAFE_TRANSACTION/);
  });

  it('inTransaction keeps every transaction whole on its own connection', async () => {
    const errors: string[] = [];
    for (let round = 0; round < 5; round++)
      errors.push(...(await busyThenTransactions(db, inTransaction, round)));
    expect(errors).toEqual([]);
    const [row] = await db<{ n: number }[]>`SELECT count(*)::int AS n FROM tx_probe`;
    expect(row?.n).toBe(25);
  });
});
