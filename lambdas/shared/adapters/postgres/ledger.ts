import type { Balance } from '../../domain/balance';
import type { Queryable } from './database';

// The only module that reads or writes the `ledger_entries` table.

/** The platform's side of every posting. */
export const SETTLEMENT_ACCOUNT = 'platform:settlement';

export function userAccount(userId: string): string {
  return `user:${userId}`;
}

export async function balancesForUser(db: Queryable, userId: string): Promise<Balance[]> {
  return db<Balance[]>`
    SELECT currency,
           SUM(CASE direction WHEN 'debit' THEN amount ELSE -amount END)::bigint AS balance
    FROM ledger_entries
    WHERE account = ${userAccount(userId)}
    GROUP BY currency
    ORDER BY currency`;
}

/**
 * Posts a SUCCEEDED payment: debit the user, credit settlement, same amount and currency.
 * Call it in the transaction that made the payment SUCCEEDED; UNIQUE(payment_id, account, direction)
 * refuses a second posting.
 */
export async function postPayment(
  tx: Queryable,
  p: { id: string; user_id: string; amount: number; currency: string },
): Promise<void> {
  await tx`
    INSERT INTO ledger_entries (payment_id, account, direction, amount, currency)
    VALUES (${p.id}, ${userAccount(p.user_id)}, 'debit', ${p.amount}, ${p.currency}),
           (${p.id}, ${SETTLEMENT_ACCOUNT}, 'credit', ${p.amount}, ${p.currency})`;
}
