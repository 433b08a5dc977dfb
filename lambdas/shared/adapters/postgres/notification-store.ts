import type { NotificationStore } from '../../use-cases/ports';
import type { Database } from './database';
import { insertNotificationStatement, notifiedChannels } from './notifications';
import { enqueueEventStatement } from './outbox';

export class PostgresNotificationStore implements NotificationStore {
  constructor(private readonly db: Database) {}

  notifiedChannels = (paymentId: string) => notifiedChannels(this.db, paymentId);

  /**
   * One statement (one round trip, atomic): the notification, and its event only if the notification was
   * new. False when a concurrent delivery stored this channel first.
   */
  record: NotificationStore['record'] = async (notification, event) => {
    const sql = this.db;
    const [result] = await sql<{ written: number }[]>`
      WITH notification AS (${insertNotificationStatement(sql, notification)}),
           event AS (${enqueueEventStatement(sql, event, 'notification')})
      SELECT count(*)::int AS written FROM notification`;
    return result?.written === 1;
  };
}
