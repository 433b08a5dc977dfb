import type { Payment, PaymentStatus } from '../../domain/payment';
import type { PaymentListQuery } from '../../use-cases/ports';
import type { Queryable } from './database';

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

export async function insertPayment(tx: Queryable, p: Payment): Promise<void> {
  await insertPaymentStatement(tx, p);
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
      ${q.after ? db`AND (created_at, id) < (${q.after.createdAt}::timestamptz, ${q.after.id}::uuid)` : db``}
    ORDER BY created_at DESC, id DESC
    LIMIT ${q.limit + 1}`;
  return rows.map(toPayment);
}

export interface TerminalTransition {
  status: Exclude<PaymentStatus, 'PENDING'>;
  failureCode: string | null;
  failureReason: string | null;
  at: Date;
}

/**
 * Moves a PENDING payment to its terminal state. Returns the updated payment only to the one caller
 * whose update won; everyone else (duplicate, concurrent or late deliveries) gets undefined.
 */
export async function transitionFromPending(
  tx: Queryable,
  id: string,
  t: TerminalTransition,
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

export interface StuckPayments {
  count: number;
  oldestCreatedAt: Date | null;
  /** By the database's clock. */
  oldestAgeSeconds: number | null;
  /** The oldest ones, up to the requested limit. */
  oldest: { id: string; createdAt: Date; amount: number; currency: string }[];
}

/** PENDING payments created more than `olderThanSeconds` ago (read-only; `npm run ops -- payments stuck`). */
export async function findStuckPayments(
  db: Queryable,
  options: { olderThanSeconds: number; limit: number },
): Promise<StuckPayments> {
  const [summary] = await db<
    { count: number; oldest_created_at: Date | null; oldest_age_seconds: number | null }[]
  >`
    SELECT count(*)::int AS count, min(created_at) AS oldest_created_at,
           floor(extract(epoch FROM now() - min(created_at)))::int AS oldest_age_seconds
    FROM payments
    WHERE status = 'PENDING' AND created_at < now() - make_interval(secs => ${options.olderThanSeconds})`;
  const rows = await db<{ id: string; created_at: Date; amount: number; currency: string }[]>`
    SELECT id, created_at, amount, currency FROM payments
    WHERE status = 'PENDING' AND created_at < now() - make_interval(secs => ${options.olderThanSeconds})
    ORDER BY created_at, id LIMIT ${options.limit}`;
  return {
    count: summary!.count,
    oldestCreatedAt: summary!.oldest_created_at,
    oldestAgeSeconds: summary!.oldest_age_seconds,
    oldest: rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      amount: r.amount,
      currency: r.currency.trim(),
    })),
  };
}
