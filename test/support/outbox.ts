import type { Database } from '../../lambdas/shared/adapters/postgres/database';
import { PostgresOutboxStore } from '../../lambdas/shared/adapters/postgres/outbox-store';
import type { EventPublisher } from '../../lambdas/shared/use-cases/ports';
import { OutboxEventDispatcher } from '../../lambdas/shared/use-cases/publish-outbox';

/** The production after-commit dispatcher over a test database and a test publisher. */
export function outboxDispatcher(db: Database, publisher: EventPublisher): OutboxEventDispatcher {
  return new OutboxEventDispatcher(new PostgresOutboxStore(db), publisher);
}
