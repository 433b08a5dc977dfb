import type { EventPublisher, OutboxStore, PublishOutcome } from './ports';

export interface RelayOptions {
  /** Rows per cycle (one transaction, one PutEvents per 10). */
  batchSize: number;
  /**
   * Start-to-start time of a cycle that did not fill its batch: bounds a lone event's wait, and lets a
   * busy system's events gather into fewer, fuller cycles (one commit each).
   */
  pollIntervalMs: number;
  /** Return once nothing is due (a test's or an operator's drain) instead of polling on. */
  stopWhenIdle?: boolean;
}

export interface RelayResult {
  sweeps: number;
  claimed: number;
  published: number;
  failed: number;
}

export interface RelayDeps {
  outboxStore: OutboxStore;
  publisher: EventPublisher;
  /** Called between cycles at most every `everyMs` with the oldest unpublished row's age (a metric). */
  reportBacklog?: { everyMs: number; report(oldestSeconds: number): void };
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A publisher that throws (network, credentials) refuses every event of the call. */
function publishSafely(publisher: EventPublisher) {
  return (events: Parameters<EventPublisher['publish']>[0]): Promise<PublishOutcome> =>
    publisher.publish(events).catch((error: unknown) => ({
      published: [],
      failed: events.map((e) => ({ eventId: e.eventId, error: String((error as Error)?.message ?? error) })),
    }));
}

/**
 * The always-on outbox relay (docs/architecture.md, "Outbox"): publishes every due row, in cycles of up
 * to `batchSize`, until `shouldContinue` says its time is up. An idle relay probes for due rows every
 * `pollIntervalMs` (one cheap read) and opens a cycle's transaction only when there are some.
 */
export async function relayOutbox(
  deps: RelayDeps,
  options: RelayOptions,
  shouldContinue: () => boolean = () => true,
): Promise<RelayResult> {
  const result: RelayResult = { sweeps: 0, claimed: 0, published: 0, failed: 0 };
  const publish = publishSafely(deps.publisher);
  let lastReport = Number.NEGATIVE_INFINITY;
  let idle = false;
  while (shouldContinue()) {
    const started = Date.now();
    if (deps.reportBacklog && started - lastReport >= deps.reportBacklog.everyMs) {
      lastReport = started;
      deps.reportBacklog.report(await deps.outboxStore.oldestUnpublishedSeconds());
    }
    // After an empty cycle, a one-statement probe; a cycle's transaction only when something is due.
    const cycle: PublishOutcome & { claimed: number } =
      idle && !(await deps.outboxStore.anyDue())
        ? { claimed: 0, published: [], failed: [] }
        : await deps.outboxStore.publishDue(options.batchSize, publish);
    idle = cycle.claimed === 0;
    if (!idle) {
      result.sweeps += 1;
      result.claimed += cycle.claimed;
      result.published += cycle.published.length;
      result.failed += cycle.failed.length;
    }
    if (cycle.claimed >= options.batchSize) continue; // a backlog: straight on
    if (idle && options.stopWhenIdle) break;
    const rest = options.pollIntervalMs - (Date.now() - started);
    if (rest > 0) await wait(rest);
  }
  return result;
}
