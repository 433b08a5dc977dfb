import type { OutgoingEvent } from '../events';
import type { EventPublisher, OutboxDispatcher, OutboxStore, PublishOutcome } from './ports';

/** Publishes events and records each one's fate in the outbox; a publisher that throws fails them all. */
async function publishAndRecord(
  outboxStore: OutboxStore,
  publisher: EventPublisher,
  events: readonly OutgoingEvent[],
): Promise<PublishOutcome> {
  const outcome = await publisher.publish(events).catch(
    (error: unknown): PublishOutcome => ({
      published: [],
      failed: events.map((e) => ({ eventId: e.eventId, error: String((error as Error)?.message ?? error) })),
    }),
  );
  await outboxStore.markPublished(outcome.published);
  await outboxStore.recordFailures(outcome.failed);
  return outcome;
}

/**
 * Publishes just-committed outbox rows from the events their producer wrote (the rows hold exactly these),
 * so it does not read them back; never throws, since the relay sweeps whatever is left. The workers use it
 * after their batch (docs/architecture.md, "Outbox"); the API leaves its event to the relay.
 */
export class OutboxEventDispatcher implements OutboxDispatcher {
  constructor(
    private readonly outboxStore: OutboxStore,
    private readonly publisher: EventPublisher,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  async dispatch(events: readonly OutgoingEvent[]): Promise<void> {
    try {
      if (events.length > 0) await publishAndRecord(this.outboxStore, this.publisher, events);
    } catch (error) {
      this.onError(error);
    }
  }
}

/**
 * Holds a worker invocation's just-committed events until `flush()`, so a batch of SQS records publishes
 * its outcome events in one PutEvents per 10 and one outbox UPDATE, not one of each per record. Events
 * an invocation never flushes (it crashed) are the relay's, like any unpublished row.
 */
export class BatchedOutboxDispatcher implements OutboxDispatcher {
  private pending: OutgoingEvent[] = [];

  constructor(private readonly inner: OutboxDispatcher) {}

  async dispatch(events: readonly OutgoingEvent[]): Promise<void> {
    this.pending.push(...events);
  }

  /** Never throws (the inner dispatcher does not). */
  async flush(): Promise<void> {
    const events = this.pending;
    this.pending = [];
    if (events.length > 0) await this.inner.dispatch(events);
  }
}
