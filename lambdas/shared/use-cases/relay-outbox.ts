import type { EventPublisher, OutboxStore } from './ports';
import { publishAndRecord } from './publish-outbox';

export interface RelayOptions {
  /** Rows younger than this are left to the producer's own after-commit dispatch. */
  graceSeconds: number;
  batchSize: number;
  /** How long a claimed row stays invisible to other relays while this one publishes it. */
  leaseSeconds?: number;
}

export interface RelayResult {
  sweeps: number;
  claimed: number;
  published: number;
  failed: number;
}

/**
 * Publishes outbox rows that their producer did not (crash, bus outage). Claims a batch in a short
 * transaction, publishes with no lock held, then marks them published or records the failure with backoff.
 * Stops when nothing is due or when `shouldContinue` says time is up.
 */
export async function relayOutbox(
  deps: { outboxStore: OutboxStore; publisher: EventPublisher },
  options: RelayOptions,
  shouldContinue: () => boolean = () => true,
): Promise<RelayResult> {
  const result: RelayResult = { sweeps: 0, claimed: 0, published: 0, failed: 0 };
  while (shouldContinue()) {
    const events = await deps.outboxStore.claimDue({
      limit: options.batchSize,
      graceSeconds: options.graceSeconds,
      leaseSeconds: options.leaseSeconds ?? 30,
    });
    if (events.length === 0) break;
    result.sweeps += 1;
    result.claimed += events.length;
    const outcome = await publishAndRecord(deps.outboxStore, deps.publisher, events);
    result.published += outcome.published.length;
    result.failed += outcome.failed.length;
  }
  return result;
}
