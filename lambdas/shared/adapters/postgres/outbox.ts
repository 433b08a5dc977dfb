import type { OutgoingEvent } from '../../events';
import type { Database } from './database';

// The only module that reads or writes the `outbox` table.

type Sql = Database;

/** Writes the event inside the caller's transaction, so it exists if and only if the state change does. */
export async function enqueueEvent(tx: Sql, event: OutgoingEvent): Promise<void> {
  await tx`
    INSERT INTO outbox (event_id, source, detail_type, detail)
    VALUES (${event.eventId}, ${event.source}, ${event.detailType}, ${tx.json(event.detail as never)})`;
}

/** Loads the still-unpublished events among `eventIds`. */
export async function loadUnpublished(db: Sql, eventIds: readonly string[]): Promise<OutgoingEvent[]> {
  if (eventIds.length === 0) return [];
  const rows = await db<
    { event_id: string; source: string; detail_type: string; detail: Record<string, unknown> }[]
  >`
    SELECT event_id, source, detail_type, detail FROM outbox
    WHERE event_id = ANY(${eventIds as string[]}::uuid[]) AND published_at IS NULL`;
  return rows.map((r) => ({
    eventId: r.event_id,
    source: r.source,
    detailType: r.detail_type,
    detail: r.detail,
  }));
}

export async function markPublished(db: Sql, eventIds: readonly string[]): Promise<void> {
  if (eventIds.length === 0) return;
  await db`
    UPDATE outbox SET published_at = now(), last_error = NULL
    WHERE event_id = ANY(${eventIds as string[]}::uuid[]) AND published_at IS NULL`;
}

/** Records a failed attempt; the relay retries it after an exponential backoff (capped at 5 minutes). */
export async function recordFailures(db: Sql, failures: readonly { eventId: string; error: string }[]) {
  for (const f of failures) {
    await db`
      UPDATE outbox
      SET attempts = attempts + 1,
          last_error = ${f.error.slice(0, 1000)},
          next_attempt_at = now() + least(interval '5 minutes', interval '1 second' * power(2, attempts))
      WHERE event_id = ${f.eventId} AND published_at IS NULL`;
  }
}
