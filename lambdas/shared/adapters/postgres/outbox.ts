import type { OutgoingEvent } from '../../events';
import type { PublishOutcome } from '../../use-cases/ports';
import type { Database, Queryable } from './database';
import { inTransaction } from './transaction';

// The only module that reads or writes the `outbox` table.

/**
 * How long the relay leaves a row to a producer that publishes its own events after commit (the workers,
 * after their batch): the row is written due this many seconds later. A producer that leaves publishing to
 * the relay (`POST /payments`) writes its rows due at once (docs/architecture.md, "Outbox").
 */
export const PRODUCER_PUBLISHES_WITHIN_SECONDS = 2;

export interface EnqueueOptions {
  /** The relay publishes the row as soon as it is committed; default: the producer publishes it itself. */
  relayAtOnce?: boolean;
}

/**
 * The INSERT as a statement fragment. With `from` (a CTE of the caller's statement) it writes the event
 * only if that CTE produced a row. Explicit casts: the values are a SELECT list.
 */
export function enqueueEventStatement(
  sql: Queryable,
  event: OutgoingEvent,
  from?: string,
  options: EnqueueOptions = {},
) {
  const dueIn = options.relayAtOnce ? 0 : PRODUCER_PUBLISHES_WITHIN_SECONDS;
  return sql`
    INSERT INTO outbox (event_id, source, detail_type, detail, next_attempt_at)
    SELECT ${event.eventId}::uuid, ${event.source}::text, ${event.detailType}::text,
           ${sql.json(event.detail as never)}::jsonb, now() + ${dueIn}::int * interval '1 second'
    ${from ? sql`FROM ${sql(from)}` : sql``}`;
}

/** Writes the event inside the caller's transaction, so it exists if and only if the state change does. */
export async function enqueueEvent(
  tx: Queryable,
  event: OutgoingEvent,
  options?: EnqueueOptions,
): Promise<void> {
  await enqueueEventStatement(tx, event, undefined, options);
}

/**
 * Asynchronous commit (`synchronous_commit` off for this statement's own transaction only): losing the
 * UPDATE in a crash just means the relay publishes the event again, which consumers already absorb, so
 * the caller does not wait for a WAL flush (0.8 -> 0.4 ms per UPDATE at 1 connection here).
 * `published_at` is the clock's time, not the transaction's start: the relay publishes inside its
 * transaction, and the event lag is read from this column.
 */
export async function markPublished(db: Queryable, eventIds: readonly string[]): Promise<void> {
  if (eventIds.length === 0) return;
  await db`
    WITH async_commit AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))
    UPDATE outbox SET published_at = clock_timestamp(), last_error = NULL
    FROM async_commit
    WHERE event_id = ANY(${eventIds as string[]}::uuid[]) AND published_at IS NULL`;
}

/** Records failed attempts; the relay retries each after an exponential backoff (capped at 1 minute). */
export async function recordFailures(db: Queryable, failures: readonly { eventId: string; error: string }[]) {
  if (failures.length === 0) return;
  await db`
    UPDATE outbox o
    SET attempts = o.attempts + 1,
        last_error = f.error,
        next_attempt_at = now() + least(interval '1 minute', interval '1 second' * power(2, o.attempts))
    FROM unnest(${failures.map((f) => f.eventId)}::uuid[], ${failures.map((f) => f.error.slice(0, 1000))}::text[])
      AS f(event_id, error)
    WHERE o.event_id = f.event_id AND o.published_at IS NULL`;
}

type OutboxRow = { event_id: string; source: string; detail_type: string; detail: Record<string, unknown> };

/**
 * One relay cycle in one transaction (see `OutboxStore.publishDue`): the rows stay locked while they are
 * published, so no lease is needed and a crashed relay frees them at once. Asynchronous commit, as for
 * `markPublished`: a lost commit only publishes again.
 */
export async function publishDue(
  db: Database,
  limit: number,
  publish: (events: readonly OutgoingEvent[]) => Promise<PublishOutcome>,
): Promise<PublishOutcome & { claimed: number }> {
  return inTransaction(db, async (tx) => {
    const rows = await tx<OutboxRow[]>`
      WITH async_commit AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true))
      SELECT event_id, source, detail_type, detail FROM outbox, async_commit
      WHERE published_at IS NULL AND next_attempt_at <= now()
      ORDER BY next_attempt_at
      LIMIT ${limit}
      FOR UPDATE OF outbox SKIP LOCKED`;
    if (rows.length === 0) return { claimed: 0, published: [], failed: [] };
    const events = rows.map((r) => ({
      eventId: r.event_id,
      source: r.source,
      detailType: r.detail_type,
      detail: r.detail,
    }));
    const outcome = await publish(events);
    await markPublished(tx, outcome.published);
    await recordFailures(tx, outcome.failed);
    return { claimed: rows.length, ...outcome };
  }) as Promise<PublishOutcome & { claimed: number }>;
}

export async function anyDue(db: Queryable): Promise<boolean> {
  const rows = await db`
    SELECT 1 FROM outbox WHERE published_at IS NULL AND next_attempt_at <= now() LIMIT 1`;
  return rows.length > 0;
}

export async function oldestUnpublishedSeconds(db: Queryable): Promise<number> {
  const [row] = await db<{ age: number }[]>`
    SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8 AS age
    FROM outbox WHERE published_at IS NULL`;
  return row?.age ?? 0;
}

/** Retention: deletes up to `limit` rows published before `cutoff`; unpublished rows are never touched. */
export async function purgePublished(db: Queryable, cutoff: Date, limit: number): Promise<number> {
  const rows = await db`
    DELETE FROM outbox WHERE event_id IN (
      SELECT event_id FROM outbox WHERE published_at < ${cutoff}
      ORDER BY published_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)`;
  return rows.count;
}

export async function countPublishedBefore(db: Queryable, cutoff: Date): Promise<number> {
  const [row] = await db<{ n: number }[]>`
    SELECT count(*)::int AS n FROM outbox WHERE published_at < ${cutoff}`;
  return row?.n ?? 0;
}
