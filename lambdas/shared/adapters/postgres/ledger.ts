import type { Balance } from '../../domain/balance';
import type { Database } from './database';

// The only module that reads or writes the `ledger_entries` table.

/** The platform's side of every posting. */
export const SETTLEMENT_ACCOUNT = 'platform:settlement';

export function userAccount(userId: string): string {
  return `user:${userId}`;
}

export async function balancesForUser(db: Database, userId: string): Promise<Balance[]> {
  return db<Balance[]>`
    SELECT currency,
           SUM(CASE direction WHEN 'debit' THEN amount ELSE -amount END)::bigint AS balance
    FROM ledger_entries
    WHERE account = ${userAccount(userId)}
    GROUP BY currency
    ORDER BY currency`;
}
