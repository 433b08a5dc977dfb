import type { EventPublisher, OutboxDispatcher } from '../../use-cases/ports';
import type { Database } from './database';
import { loadUnpublished, markPublished, recordFailures } from './outbox';

/** Publishes just-committed outbox rows; never throws, since the relay sweeps whatever is left. */
export class PostgresOutboxDispatcher implements OutboxDispatcher {
  constructor(
    private readonly db: Database,
    private readonly publisher: EventPublisher,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  async dispatch(eventIds: readonly string[]): Promise<void> {
    try {
      const events = await loadUnpublished(this.db, eventIds);
      if (events.length === 0) return;
      const outcome = await this.publisher.publish(events);
      await markPublished(this.db, outcome.published);
      await recordFailures(this.db, outcome.failed);
    } catch (error) {
      this.onError(error);
    }
  }
}
