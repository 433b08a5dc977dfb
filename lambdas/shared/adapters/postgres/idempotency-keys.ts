import type { Queryable } from './database';

// The only module that reads or writes the `idempotency_keys` table.

export interface KeyRecord {
  userId: string;
  key: string;
  requestHash: string;
  paymentId: string;
  status: number;
  body: string;
}

/**
 * The record as it is written: complete, with the response to replay, in the statement that writes the
 * payment (so nobody ever sees it half-done). Its row comes from the CTE `after`, which therefore runs
 * first (the caller sets the lock timeout there). RETURNING a row means the key was ours; a concurrent
 * INSERT of the same key waits on the UNIQUE index until the first statement ends, then returns none.
 */
export function insertKeyRecordStatement(sql: Queryable, r: KeyRecord, after: string) {
  return sql`
    INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash, response_status, response_body, payment_id)
    SELECT ${r.userId}::text, ${r.key}::text, ${r.requestHash}::text, ${r.status}::int, ${r.body}::text,
           ${r.paymentId}::uuid
    FROM ${sql(after)}
    ON CONFLICT (user_id, idempotency_key) DO NOTHING
    RETURNING 1`;
}

export async function findKeyRecord(
  db: Queryable,
  userId: string,
  key: string,
): Promise<{ requestHash: string; status: number; body: string } | undefined> {
  const [row] = await db<{ request_hash: string; response_status: number; response_body: string }[]>`
    SELECT request_hash, response_status, response_body FROM idempotency_keys
    WHERE user_id = ${userId} AND idempotency_key = ${key}`;
  return row && { requestHash: row.request_hash, status: row.response_status, body: row.response_body };
}

/** Retention: deletes up to `limit` records created before `cutoff`, oldest first; returns how many. */
export async function purgeKeyRecords(db: Queryable, cutoff: Date, limit: number): Promise<number> {
  const rows = await db`
    DELETE FROM idempotency_keys k
    USING (SELECT user_id, idempotency_key FROM idempotency_keys WHERE created_at < ${cutoff}
           ORDER BY created_at LIMIT ${limit} FOR UPDATE SKIP LOCKED) d
    WHERE k.user_id = d.user_id AND k.idempotency_key = d.idempotency_key`;
  return rows.count;
}

export async function countKeyRecordsBefore(db: Queryable, cutoff: Date): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    SELECT count(*)::int AS n FROM idempotency_keys WHERE created_at < ${cutoff}`;
  return row?.n ?? 0;
}
