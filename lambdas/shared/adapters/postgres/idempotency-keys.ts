import type { Queryable } from './database';

// The only module that reads or writes the `idempotency_keys` table.

export interface StoredResponse {
  requestHash: string;
  status: number;
  body: string;
}

/**
 * Claims (user, key) inside the caller's transaction. A concurrent claim of the same key blocks on the
 * UNIQUE index until the first transaction ends, so the loser then sees the committed record.
 * Returns undefined when the claim is ours, or the stored record when the key was already used.
 */
export async function claimIdempotencyKey(
  tx: Queryable,
  claim: { userId: string; key: string; requestHash: string },
): Promise<StoredResponse | undefined> {
  const inserted = await tx`
    INSERT INTO idempotency_keys (user_id, idempotency_key, request_hash)
    VALUES (${claim.userId}, ${claim.key}, ${claim.requestHash})
    ON CONFLICT (user_id, idempotency_key) DO NOTHING
    RETURNING 1`;
  if (inserted.length === 1) return undefined;
  const [row] = await tx<{ request_hash: string; response_status: number; response_body: string }[]>`
    SELECT request_hash, response_status, response_body FROM idempotency_keys
    WHERE user_id = ${claim.userId} AND idempotency_key = ${claim.key}`;
  if (!row) throw new Error('idempotency record vanished after a conflicting insert');
  return { requestHash: row.request_hash, status: row.response_status, body: row.response_body };
}

/** Completes a claimed record with the response to replay; same transaction as the claim. */
export async function completeIdempotencyKey(
  tx: Queryable,
  record: { userId: string; key: string; paymentId: string; status: number; body: string },
): Promise<void> {
  await tx`
    UPDATE idempotency_keys
    SET response_status = ${record.status}, response_body = ${record.body}, payment_id = ${record.paymentId}
    WHERE user_id = ${record.userId} AND idempotency_key = ${record.key}`;
}
