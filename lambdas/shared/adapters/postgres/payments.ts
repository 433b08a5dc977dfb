import type { Payment, PaymentStatus, Settlement } from '../../domain/payment';
import type { RiskSignals } from '../../domain/risk';
import type { PaymentListQuery } from '../../use-cases/ports';
import type { Queryable } from './database';
import { assessedAtLevel } from './risk-assessments';

// The only module that reads or writes the `payments` table.

/** A payments row as postgres.js returns it: the wire shape, with Date timestamps. */
type PaymentRow = Omit<Payment, 'created_at' | 'updated_at'> & { created_at: Date; updated_at: Date };

export function toPayment(row: PaymentRow): Payment {
  return { ...row, created_at: row.created_at.toISOString(), updated_at: row.updated_at.toISOString() };
}

/**
 * The INSERT as a statement fragment. With `from` (a CTE of the caller's statement) it writes one row
 * per row of `from`, i.e. only if that CTE produced one. Explicit casts: the values are a SELECT list.
 */
export function insertPaymentStatement(sql: Queryable, p: Payment, from?: string) {
  return sql`
    INSERT INTO payments (id, user_id, amount, currency, status, description, metadata,
                          failure_code, failure_reason, created_at, updated_at)
    SELECT ${p.id}::uuid, ${p.user_id}::text, ${p.amount}::bigint, ${p.currency}::char(3), ${p.status}::text,
           ${p.description}::text, ${sql.json(p.metadata)}::jsonb, ${p.failure_code}::text,
           ${p.failure_reason}::text, ${p.created_at}::timestamptz, ${p.updated_at}::timestamptz
    ${from ? sql`FROM ${sql(from)}` : sql``}`;
}

export async function findPayment(db: Queryable, id: string): Promise<Payment | undefined> {
  const [row] = await db<PaymentRow[]>`SELECT * FROM payments WHERE id = ${id}`;
  return row && toPayment(row);
}

/** The user's payments, newest first; fetches one extra row so the caller knows whether a next page exists. */
export async function listPayments(db: Queryable, q: PaymentListQuery): Promise<Payment[]> {
  const rows = await db<PaymentRow[]>`
    SELECT * FROM payments
    WHERE user_id = ${q.userId}
      ${q.status ? db`AND status = ${q.status}` : db``}
      ${q.from ? db`AND created_at >= ${q.from}` : db``}
      ${q.to ? db`AND created_at < ${q.to}` : db``}
      ${q.riskLevel ? assessedAtLevel(db, q.riskLevel) : db``}
      ${q.after ? db`AND (created_at, id) < (${q.after.createdAt}::timestamptz, ${q.after.id}::uuid)` : db``}
    ORDER BY created_at DESC, id DESC
    LIMIT ${q.limit + 1}`;
  return rows.map(toPayment);
}

/** The risk signals' one statement (exported so a test can EXPLAIN it). */
export function riskSignalsStatement(db: Queryable, p: Payment) {
  return db`
    SELECT
      EXISTS (SELECT 1 FROM payments e
              WHERE e.user_id = ${p.user_id} AND e.created_at <= ${p.created_at}::timestamptz
                AND e.id <> ${p.id}::uuid) AS has_earlier,
      count(*) FILTER (WHERE created_at >= ${p.created_at}::timestamptz - interval '1 hour')::int AS hour_count,
      count(*)::int AS day_count,
      coalesce(sum(amount) FILTER (WHERE created_at >= ${p.created_at}::timestamptz - interval '1 hour'
                                     AND currency = ${p.currency}), 0)::bigint AS hour_amount,
      count(*) FILTER (WHERE status = 'FAILED')::int AS day_declines,
      (SELECT count(DISTINCT c) FROM unnest(
         array_agg(currency::text) FILTER (WHERE created_at >= ${p.created_at}::timestamptz - interval '1 hour')
         || ${p.currency}::text) AS c)::int AS hour_currencies
    FROM payments
    WHERE user_id = ${p.user_id}
      AND created_at >= ${p.created_at}::timestamptz - interval '1 day'
      AND created_at <= ${p.created_at}::timestamptz
      AND id <> ${p.id}::uuid`;
}

/**
 * What the risk rules know of the user's history before `p` (docs/architecture.md, "Risk screening"):
 * windows end at `p.created_at`, so a redelivery sees the same window. One range scan of
 * payments_user_created_idx (user_id, created_at) for the day, one index probe for an earlier payment.
 */
export async function riskSignals(db: Queryable, p: Payment): Promise<RiskSignals> {
  const [row] = await db<
    {
      has_earlier: boolean;
      hour_count: number;
      day_count: number;
      hour_amount: number;
      day_declines: number;
      hour_currencies: number;
    }[]
  >`${riskSignalsStatement(db, p)}`;
  const r = row!;
  return {
    hasEarlierPayment: r.has_earlier,
    hourCount: r.hour_count,
    dayCount: r.day_count,
    hourAmount: r.hour_amount,
    dayDeclines: r.day_declines,
    hourCurrencies: r.hour_currencies,
  };
}

/**
 * Moves a PENDING payment to its terminal state. Returns the updated payment only to the one caller
 * whose update won; everyone else (duplicate, concurrent or late deliveries) gets undefined.
 */
export async function transitionFromPending(
  tx: Queryable,
  id: string,
  t: Settlement,
): Promise<Payment | undefined> {
  const [row] = await tx<PaymentRow[]>`
    UPDATE payments
    SET status = ${t.status}, failure_code = ${t.failureCode}, failure_reason = ${t.failureReason},
        updated_at = ${t.at}
    WHERE id = ${id} AND status = 'PENDING'
    RETURNING *`;
  return row && toPayment(row);
}

/** How many payments are in each status (the local runtime's status page). */
export async function countPaymentsByStatus(db: Queryable): Promise<Record<PaymentStatus, number>> {
  const rows = await db<{ status: PaymentStatus; count: number }[]>`
    SELECT status, count(*)::int AS count FROM payments GROUP BY status`;
  const counts: Record<PaymentStatus, number> = { PENDING: 0, SUCCEEDED: 0, FAILED: 0 };
  for (const r of rows) counts[r.status] = r.count;
  return counts;
}
