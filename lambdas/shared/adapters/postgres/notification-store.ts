import type { NotificationStore } from '../../use-cases/ports';
import type { Database, Queryable } from './database';
import { insertNotification, notifiedChannels } from './notifications';
import { enqueueEvent } from './outbox';

export class PostgresNotificationStore implements NotificationStore {
  constructor(private readonly db: Database) {}

  notifiedChannels = (paymentId: string) => notifiedChannels(this.db, paymentId);

  record: NotificationStore['record'] = async (notification, event) =>
    this.db.begin(async (sql) => {
      const tx: Queryable = sql;
      if (!(await insertNotification(tx, notification))) return false; // a concurrent delivery stored it first
      await enqueueEvent(tx, event);
      return true;
    }) as Promise<boolean>;
}
