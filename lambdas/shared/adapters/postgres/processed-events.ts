import type { ProcessedEvent } from '../../domain/notification-event';
import type { EventListQuery, NewProcessedEvent } from '../../use-cases/ports';
import type { Queryable } from './database';

// The only module that reads or writes the `processed_events` table.

interface ProcessedEventRow extends Omit<ProcessedEvent, 'accepted_at' | 'processed_at'> {
  user_id: string;
  accepted_at: Date;
  processed_at: Date;
}

function toProcessedEvent(row: ProcessedEventRow): ProcessedEvent & { user_id: string } {
  return {
    ...row,
    accepted_at: row.accepted_at.toISOString(),
    processed_at: row.processed_at.toISOString(),
  };
}

/** Stores the event once: true for the delivery that wrote it, false for every later one. */
export async function recordProcessedEvent(db: Queryable, e: NewProcessedEvent): Promise<boolean> {
  const rows = await db`
    INSERT INTO processed_events (id, user_id, event_type, message, payload, correlation_id, accepted_at)
    VALUES (${e.id}, ${e.userId}, ${e.eventType}, ${e.message}, ${db.json(e.payload as never)},
            ${e.correlationId}, ${e.acceptedAt})
    ON CONFLICT (id) DO NOTHING
    RETURNING id`;
  return rows.length === 1;
}

export async function findProcessedEvent(
  db: Queryable,
  id: string,
): Promise<(ProcessedEvent & { user_id: string }) | undefined> {
  const [row] = await db<ProcessedEventRow[]>`
    SELECT id, user_id, event_type, message, payload, accepted_at, processed_at FROM processed_events WHERE id = ${id}`;
  return row && toProcessedEvent(row);
}

/** The user's events, newest accepted first; one extra row so the caller knows whether a next page exists. */
export async function listProcessedEvents(db: Queryable, q: EventListQuery): Promise<ProcessedEvent[]> {
  const rows = await db<ProcessedEventRow[]>`
    SELECT id, user_id, event_type, message, payload, accepted_at, processed_at FROM processed_events
    WHERE user_id = ${q.userId}
      ${q.eventType ? db`AND event_type = ${q.eventType}` : db``}
      ${q.from ? db`AND accepted_at >= ${q.from}` : db``}
      ${q.to ? db`AND accepted_at < ${q.to}` : db``}
      ${q.after ? db`AND (accepted_at, id) < (${q.after.createdAt}::timestamptz, ${q.after.id}::uuid)` : db``}
    ORDER BY accepted_at DESC, id DESC
    LIMIT ${q.limit + 1}`;
  return rows.map((row) => {
    const { user_id: _, ...event } = toProcessedEvent(row);
    return event;
  });
}
