import type { OutboxStore } from '../../use-cases/ports';
import type { Database } from './database';
import { anyDue, markPublished, oldestUnpublishedSeconds, publishDue, recordFailures } from './outbox';

export class PostgresOutboxStore implements OutboxStore {
  constructor(private readonly db: Database) {}

  publishDue: OutboxStore['publishDue'] = (limit, publish) => publishDue(this.db, limit, publish);
  anyDue: OutboxStore['anyDue'] = () => anyDue(this.db);
  oldestUnpublishedSeconds: OutboxStore['oldestUnpublishedSeconds'] = () => oldestUnpublishedSeconds(this.db);
  markPublished: OutboxStore['markPublished'] = (ids) => markPublished(this.db, ids);
  recordFailures: OutboxStore['recordFailures'] = (failures) => recordFailures(this.db, failures);
}
