import type { Database } from '../adapters/postgres/database';
import { claimDue, markPublished, recordFailures } from '../adapters/postgres/outbox';
import type { EventPublisher } from './ports';

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
  deps: { db: Database; publisher: EventPublisher },
  options: RelayOptions,
  shouldContinue: () => boolean = () => true,
): Promise<RelayResult> {
  const result: RelayResult = { sweeps: 0, claimed: 0, published: 0, failed: 0 };
  while (shouldContinue()) {
    const events = await claimDue(deps.db, {
      limit: options.batchSize,
      graceSeconds: options.graceSeconds,
      leaseSeconds: options.leaseSeconds ?? 30,
    });
    if (events.length === 0) break;
    result.sweeps += 1;
    result.claimed += events.length;
    const outcome = await deps.publisher.publish(events).catch((error: unknown) => ({
      published: [] as string[],
      failed: events.map((e) => ({ eventId: e.eventId, error: String((error as Error)?.message ?? error) })),
    }));
    await markPublished(deps.db, outcome.published);
    await recordFailures(deps.db, outcome.failed);
    result.published += outcome.published.length;
    result.failed += outcome.failed.length;
  }
  return result;
}
