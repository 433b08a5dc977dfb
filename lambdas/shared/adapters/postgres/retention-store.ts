import type { RetentionKind, RetentionStore } from '../../use-cases/ports';
import { countRunsBefore, purgeRuns } from './analytics-store';
import type { Database } from './database';
import { countKeyRecordsBefore, purgeKeyRecords } from './idempotency-keys';
import { countPublishedBefore, purgePublished } from './outbox';
import { countExpiredRecords, purgeExpiredRecords } from './worker-idempotency';

/** Retention over the platform's tables, each through the one module that owns it. */
export class PostgresRetentionStore implements RetentionStore {
  constructor(private readonly db: Database) {}

  purge(kind: RetentionKind, cutoff: Date, limit: number): Promise<number> {
    switch (kind) {
      case 'idempotencyKeys':
        return purgeKeyRecords(this.db, cutoff, limit);
      case 'workerIdempotencyRecords':
        return purgeExpiredRecords(this.db, cutoff, limit);
      case 'publishedOutboxRows':
        return purgePublished(this.db, cutoff, limit);
      case 'analyticsRuns':
        return purgeRuns(this.db, cutoff, limit);
    }
  }

  count(kind: RetentionKind, cutoff: Date): Promise<number> {
    switch (kind) {
      case 'idempotencyKeys':
        return countKeyRecordsBefore(this.db, cutoff);
      case 'workerIdempotencyRecords':
        return countExpiredRecords(this.db, cutoff);
      case 'publishedOutboxRows':
        return countPublishedBefore(this.db, cutoff);
      case 'analyticsRuns':
        return countRunsBefore(this.db, cutoff);
    }
  }
}
