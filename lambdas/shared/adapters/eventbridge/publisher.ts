import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { OutgoingEvent } from '../../events';
import { traced } from '../../observability';
import type { EventPublisher, PublishOutcome } from '../../use-cases/ports';
import { awsClientConfig } from '../aws-client-config';

/** PutEvents limits: at most 10 entries and 256 KB per request. */
export const MAX_ENTRIES_PER_REQUEST = 10;
export const MAX_REQUEST_BYTES = 256 * 1024;

/** Entry size as EventBridge computes it (Time 14 bytes when set, then Source, DetailType, Detail, Resources, UTF-8). */
export function entrySize(entry: PutEventsRequestEntry): number {
  let size = entry.Time ? 14 : 0;
  for (const part of [entry.Source, entry.DetailType, entry.Detail, ...(entry.Resources ?? [])]) {
    if (part) size += Buffer.byteLength(part, 'utf8');
  }
  return size;
}

/** Splits entries into PutEvents requests within both limits, keeping their order. */
export function toBatches<T extends { entry: PutEventsRequestEntry }>(items: readonly T[]): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = entrySize(item.entry);
    if (
      current.length === MAX_ENTRIES_PER_REQUEST ||
      (current.length > 0 && bytes + size > MAX_REQUEST_BYTES)
    ) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface EventBridgePublisherOptions {
  busName: string;
  /** Attempts per entry, counting the first (bounded re-sends of refused entries). */
  maxAttempts?: number;
  /** Pause before re-sending refused entries; injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

const sleepFor = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Publishes outbox events to the bus. Re-sends only the entries EventBridge refused, a bounded number of
 * times, and reports each event's outcome. The client honours AWS_ENDPOINT_URL_EVENTBRIDGE.
 */
export class EventBridgePublisher implements EventPublisher {
  private readonly maxAttempts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly client: EventBridgeClient,
    private readonly options: EventBridgePublisherOptions,
  ) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.sleep = options.sleep ?? sleepFor;
  }

  async publish(events: readonly OutgoingEvent[]): Promise<PublishOutcome> {
    const outcome: PublishOutcome = { published: [], failed: [] };
    const items = [];
    for (const event of events) {
      const entry: PutEventsRequestEntry = {
        EventBusName: this.options.busName,
        Source: event.source,
        DetailType: event.detailType,
        Detail: JSON.stringify(event.detail),
      };
      if (entrySize(entry) > MAX_REQUEST_BYTES) {
        outcome.failed.push({ eventId: event.eventId, error: 'EntryTooLarge: event exceeds 256 KB' });
      } else {
        items.push({ eventId: event.eventId, entry });
      }
    }
    // The requests of one call go out together: the relay's cycle of 100 rows is 10 PutEvents, and
    // sending them one after another would put 10 round trips between a commit and its event.
    await Promise.all(toBatches(items).map((batch) => this.sendWithRetries(batch, outcome)));
    return outcome;
  }

  private async sendWithRetries(
    batch: { eventId: string; entry: PutEventsRequestEntry }[],
    outcome: PublishOutcome,
  ): Promise<void> {
    let pending = batch;
    for (let attempt = 1; pending.length > 0; attempt++) {
      const refused: { item: (typeof batch)[number]; error: string }[] = [];
      try {
        const response = await this.client.send(
          new PutEventsCommand({ Entries: pending.map((p) => p.entry) }),
        );
        if (!response.FailedEntryCount) {
          for (const item of pending) outcome.published.push(item.eventId);
          return;
        }
        pending.forEach((item, i) => {
          const result = response.Entries?.[i];
          if (result?.EventId && !result.ErrorCode) outcome.published.push(item.eventId);
          else
            refused.push({
              item,
              error: `${result?.ErrorCode ?? 'Unknown'}: ${result?.ErrorMessage ?? 'no result entry'}`,
            });
        });
      } catch (error) {
        // The SDK already retried transport errors; whatever is left is reported, not thrown.
        const message = `${(error as Error).name}: ${(error as Error).message}`;
        for (const item of pending) refused.push({ item, error: message });
      }
      if (refused.length === 0) return;
      if (attempt >= this.maxAttempts) {
        for (const r of refused) outcome.failed.push({ eventId: r.item.eventId, error: r.error });
        return;
      }
      pending = refused.map((r) => r.item);
      await this.sleep(100 * 2 ** (attempt - 1));
    }
  }
}

export function createEventBridgePublisher(busName: string): EventBridgePublisher {
  return new EventBridgePublisher(traced(new EventBridgeClient(awsClientConfig)), { busName });
}
