import type { EventNotificationStore } from '../../use-cases/ports';
import type { Database } from './database';
import { eventNotifiedChannels, insertEventNotificationStatement } from './notifications';
import { enqueueEventStatement } from './outbox';
import { recordProcessedEvent } from './processed-events';

export class PostgresEventNotificationStore implements EventNotificationStore {
  constructor(private readonly db: Database) {}

  recordProcessed: EventNotificationStore['recordProcessed'] = (event) =>
    recordProcessedEvent(this.db, event);

  notifiedChannels = (eventId: string) => eventNotifiedChannels(this.db, eventId);

  /** One statement (atomic): the notification, and its event only if the notification was new. */
  record: EventNotificationStore['record'] = async (notification, event) => {
    const sql = this.db;
    const [result] = await sql<{ written: number }[]>`
      WITH notification AS (${insertEventNotificationStatement(sql, notification)}),
           event AS (${enqueueEventStatement(sql, event, 'notification')})
      SELECT count(*)::int AS written FROM notification`;
    return result?.written === 1;
  };
}
