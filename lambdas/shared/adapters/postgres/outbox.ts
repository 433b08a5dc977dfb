import type { OutgoingEvent } from '../../events';
import type { Queryable } from './database';

// The only module that reads or writes the `outbox` table.

/**
 * The INSERT as a statement fragment. With `from` (a CTE of the caller's statement) it writes the event
 * only if that CTE produced a row. Explicit casts: the values are a SELECT list.
 */
export function enqueueEventStatement(sql: Queryable, event: OutgoingEvent, from?: string) {
  return sql`
    INSERT INTO outbox (event_id, source, detail_type, detail)
    SELECT ${event.eventId}::uuid, ${event.source}::text, ${event.detailType}::text,
           ${sql.json(event.detail as never)}::jsonb
    ${from ? sql`FROM ${sql(from)}` : sql``}`;
}

/** Writes the event inside the caller's transaction, so it exists if and only if the state change does. */
export async function enqueueEvent(tx: Queryable, event: OutgoingEvent): Promise<void> {
  await enqueueEventStatement(tx, event);
}

/**
 * Asynchronous commit (`synchronous_commit` off for this statement's own transaction only): losing the
 * UPDATE in a crash just means the relay publishes the event again, which consumers already absorb, so
 * the caller does not wait for a WAL flush (0.8 -> 0.4 ms per UPDATE at 1 connection here).
 */
export async function markPublished(db: Queryable, eventIds: readonly string[]): Promise<void> {
  if (eventIds.length === 0) return;
  await db`
    WITH async_commit AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))
    UPDATE outbox SET published_at = now(), last_error = NULL
    FROM async_commit
    WHERE event_id = ANY(${eventIds as string[]}::uuid[]) AND published_at IS NULL`;
}

/** Records a failed attempt; the relay retries it after an exponential backoff (capped at 5 minutes). */
export async function recordFailures(db: Queryable, failures: readonly { eventId: string; error: string }[]) {
  for (const f of failures) {
    await db`
      UPDATE outbox
      SET attempts = attempts + 1,
          last_error = ${f.error.slice(0, 1000)},
          next_attempt_at = now() + least(interval '5 minutes', interval '1 second' * power(2, attempts))
      WHERE event_id = ${f.eventId} AND published_at IS NULL`;
  }
}

/**
 * Claims due unpublished rows for the relay: locks them with SKIP LOCKED, pushes next_attempt_at out by
 * `leaseSeconds` and commits (one statement), so no lock is held while publishing. Rows younger than
 * `graceSeconds` are left to the producer's own after-commit dispatch. Oldest first.
 */
export async function claimDue(
  db: Queryable,
  options: { limit: number; graceSeconds: number; leaseSeconds: number },
): Promise<OutgoingEvent[]> {
  const rows = await db<
    {
      event_id: string;
      source: string;
      detail_type: string;
      detail: Record<string, unknown>;
      created_at: Date;
    }[]
  >`
    UPDATE outbox SET next_attempt_at = now() + ${options.leaseSeconds} * interval '1 second'
    WHERE event_id IN (
      SELECT event_id FROM outbox
      WHERE published_at IS NULL AND next_attempt_at <= now()
        AND created_at <= now() - ${options.graceSeconds} * interval '1 second'
      ORDER BY next_attempt_at
      LIMIT ${options.limit}
      FOR UPDATE SKIP LOCKED)
    RETURNING event_id, source, detail_type, detail, created_at`;
  return rows
    .sort((a, b) => a.created_at.getTime() - b.created_at.getTime())
    .map((r) => ({ eventId: r.event_id, source: r.source, detailType: r.detail_type, detail: r.detail }));
}
