import type { Database } from './database';

// The only module that reads or writes the `ledger_entries` table.

/** The platform's side of every posting. */
export const SETTLEMENT_ACCOUNT = 'platform:settlement';

export function userAccount(userId: string): string {
  return `user:${userId}`;
}

export interface Balance {
  currency: string;
  /** Net debit of the user's account in minor units: what the user has been charged. */
  balance: number;
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
