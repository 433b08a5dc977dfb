import type { Notification } from '../domain/notification';
import type { ProcessedEvent } from '../domain/notification-event';
import { NotFoundError } from './errors';
import type { EventListQuery, EventQueries } from './ports';

/** The caller's processed event with its notifications; someone else's, or one not processed yet, is not found. */
export async function getEvent(
  q: EventQueries,
  userId: string,
  id: string,
): Promise<ProcessedEvent & { notifications: Notification[] }> {
  const found = await q.findEvent(id);
  if (!found || found.user_id !== userId) throw new NotFoundError('Event not found (or not processed yet)');
  const { user_id: _, ...event } = found;
  return { ...event, notifications: await q.notificationsOf(userId, id) };
}

/** Keyset pagination, newest accepted first, like payments. */
export async function listEvents(
  q: EventQueries,
  query: EventListQuery,
): Promise<{ events: ProcessedEvent[]; next: { createdAt: string; id: string } | null }> {
  const rows = await q.listEvents(query);
  const events = rows.slice(0, query.limit);
  const last = events.at(-1);
  return {
    events,
    next: rows.length > query.limit && last ? { createdAt: last.accepted_at, id: last.id } : null,
  };
}
