import type { Database } from '../../lambdas/shared/adapters/postgres/database';

/**
 * The ledger invariant: per currency, the users' debits equal the settlement credits equal the sum of
 * SUCCEEDED payments, and every SUCCEEDED payment (and no other) is posted exactly once.
 */
export async function expectLedgerMatchesSucceededPayments(db: Database): Promise<void> {
  const succeeded = await db<{ currency: string; total: number }[]>`
    SELECT currency, sum(amount)::bigint AS total FROM payments WHERE status = 'SUCCEEDED'
    GROUP BY currency ORDER BY currency`;
  const debits = await db<{ currency: string; total: number }[]>`
    SELECT currency, sum(amount)::bigint AS total FROM ledger_entries
    WHERE direction = 'debit' AND account LIKE 'user:%' GROUP BY currency ORDER BY currency`;
  const credits = await db<{ currency: string; total: number }[]>`
    SELECT currency, sum(amount)::bigint AS total FROM ledger_entries
    WHERE direction = 'credit' GROUP BY currency ORDER BY currency`;
  expect([...debits]).toEqual([...succeeded]);
  expect([...credits]).toEqual([...succeeded]);
  const misposted = await db`
    SELECT p.id FROM payments p
    LEFT JOIN ledger_entries l ON l.payment_id = p.id
    GROUP BY p.id, p.status
    HAVING (p.status = 'SUCCEEDED' AND count(l.id) <> 2) OR (p.status <> 'SUCCEEDED' AND count(l.id) <> 0)`;
  expect([...misposted]).toEqual([]);
}
