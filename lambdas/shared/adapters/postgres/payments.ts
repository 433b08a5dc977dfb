import type { Payment, PaymentStatus } from '../../domain/payment';
import type { Database } from './database';

// The only module that reads or writes the `payments` table.

interface PaymentRow {
  id: string;
  user_id: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  description: string | null;
  metadata: Record<string, string>;
  failure_code: string | null;
  failure_reason: string | null;
  created_at: Date;
  updated_at: Date;
}

export function toPayment(row: PaymentRow): Payment {
  return { ...row, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString() };
}

export async function insertPayment(tx: Database, p: Payment): Promise<void> {
  await tx`
    INSERT INTO payments (id, user_id, amount, currency, status, description, metadata,
                          failure_code, failure_reason, created_at, updated_at)
    VALUES (${p.id}, ${p.user_id}, ${p.amount}, ${p.currency}, ${p.status}, ${p.description},
            ${tx.json(p.metadata)}, ${p.failure_code}, ${p.failure_reason}, ${p.created_at}, ${p.updated_at})`;
}

export async function findPayment(db: Database, id: string): Promise<Payment | undefined> {
  const [row] = await db<PaymentRow[]>`SELECT * FROM payments WHERE id = ${id}`;
  return row && toPayment(row);
}

export interface PaymentListQuery {
  userId: string;
  status?: PaymentStatus;
  from?: string;
  to?: string;
  limit: number;
  /** Keyset position: the last payment of the previous page. */
  after?: { createdAt: string; id: string };
}

/** The user's payments, newest first; fetches one extra row so the caller knows whether a next page exists. */
export async function listPayments(db: Database, q: PaymentListQuery): Promise<Payment[]> {
  const rows = await db<PaymentRow[]>`
    SELECT * FROM payments
    WHERE user_id = ${q.userId}
      ${q.status ? db`AND status = ${q.status}` : db``}
      ${q.from ? db`AND created_at >= ${q.from}` : db``}
      ${q.to ? db`AND created_at < ${q.to}` : db``}
      ${q.after ? db`AND (created_at, id) < (${q.after.createdAt}::timestamptz, ${q.after.id}::uuid)` : db``}
    ORDER BY created_at DESC, id DESC
    LIMIT ${q.limit + 1}`;
  return rows.map(toPayment);
}
