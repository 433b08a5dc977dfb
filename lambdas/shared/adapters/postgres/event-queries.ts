import type { EventQueries } from '../../use-cases/ports';
import type { Database } from './database';
import { listNotifications } from './notifications';
import { findProcessedEvent, listProcessedEvents } from './processed-events';

/** Read side of the notification events API. */
export class PostgresEventQueries implements EventQueries {
  constructor(private readonly db: Database) {}

  findEvent = (id: string) => findProcessedEvent(this.db, id);
  listEvents: EventQueries['listEvents'] = (q) => listProcessedEvents(this.db, q);
  notificationsOf: EventQueries['notificationsOf'] = (userId, eventId) =>
    listNotifications(this.db, { userId, eventId, limit: 100 }); // one per channel: far below the limit
}
