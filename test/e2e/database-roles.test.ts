import { names } from '../../lib/names';
import { openLocalDatabase } from '../../scripts/ops/local-database';
import { localRuntimeForFile } from '../support/local-runtime-process';
import { isTerminal, PaymentsClient } from './client';

// The local runtime runs each function as its own PostgreSQL role (docs/architecture.md, "Database roles"):
// take a grant away from one role and only that function's work is refused, until the grant is back.

describe('the local runtime, with the roles in force', () => {
  const runtime = localRuntimeForFile();

  async function asOwner<T>(work: (db: Awaited<ReturnType<typeof openLocalDatabase>>['db']) => Promise<T>) {
    const opened = await openLocalDatabase({ dataDir: runtime().dataDir });
    try {
      return await work(opened.db);
    } finally {
      await opened.close();
    }
  }

  it("refuses POST /payments when the API's role may not insert payments, and accepts it again once it may", async () => {
    const client = new PaymentsClient(runtime().baseUrl, await runtime().token());
    const api = names.databaseRole('api');
    await asOwner((db) => db.unsafe(`REVOKE INSERT ON payments FROM ${api}`));
    try {
      const refused = await client.createPayment({ amount: 1200, currency: 'EUR' });
      expect(refused.status).toBe(500);
    } finally {
      await asOwner((db) => db.unsafe(`GRANT INSERT ON payments TO ${api}`));
    }
    const created = await client.createPayment({ amount: 1200, currency: 'EUR' });
    expect(created.status).toBe(201);
    // The workers, each as its own role, still take it to its end.
    const payment = await client.eventually(() => client.getPayment(created.json.id), isTerminal, 30_000);
    expect(payment.status).toBe('SUCCEEDED');
  });

  it('the ops role reads the payments but may not change them', async () => {
    const opened = await openLocalDatabase({ dataDir: runtime().dataDir });
    try {
      const ops = opened.as(names.opsDatabaseRole);
      const [row] = await ops<{ n: number }[]>`SELECT count(*)::int AS n FROM payments`;
      expect(row!.n).toBeGreaterThanOrEqual(0);
      await expect(ops`UPDATE payments SET status = 'FAILED'`).rejects.toMatchObject({ code: '42501' });
    } finally {
      await opened.close();
    }
  });
});
