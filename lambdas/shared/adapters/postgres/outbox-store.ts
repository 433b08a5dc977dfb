import type { OutboxStore } from '../../use-cases/ports';
import type { Database } from './database';
import { claimDue, markPublished, recordFailures } from './outbox';

export class PostgresOutboxStore implements OutboxStore {
  constructor(private readonly db: Database) {}

  claimDue: OutboxStore['claimDue'] = (options) => claimDue(this.db, options);
  markPublished: OutboxStore['markPublished'] = (ids) => markPublished(this.db, ids);
  recordFailures: OutboxStore['recordFailures'] = (failures) => recordFailures(this.db, failures);
}
