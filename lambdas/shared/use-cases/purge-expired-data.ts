import type { Clock, RetentionKind, RetentionStore } from './ports';

/** How long each kind of row is kept. */
export interface RetentionPolicy {
  /** API idempotency keys: a retry after this is a new payment. */
  idempotencyKeyHours: number;
  /** Published outbox rows (the bus archive keeps the events). */
  publishedOutboxDays: number;
  /** The analytics run log (the exports and tables themselves are kept). */
  analyticsRunDays: number;
}

export interface RetentionRun {
  batchSize: number;
  /** Only count what would be deleted. */
  dryRun?: boolean;
  /** Between two batches: leaves the database to the hot path most of the time. */
  pauseMs?: number;
}

export interface RetentionReport {
  dryRun: boolean;
  /** Per kind: the cutoff, and rows deleted (or, in a dry run, that would be). */
  kinds: Record<RetentionKind, { before: string; rows: number }>;
  /** False when `shouldContinue` stopped the run with rows left (the next run goes on). */
  complete: boolean;
}

const HOUR_MS = 3_600_000;
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The cutoff of each kind at `now`. Worker idempotency records carry their own expiry: they go once past it. */
export function retentionCutoffs(policy: RetentionPolicy, now: Date): Record<RetentionKind, Date> {
  return {
    idempotencyKeys: new Date(now.getTime() - policy.idempotencyKeyHours * HOUR_MS),
    workerIdempotencyRecords: now,
    publishedOutboxRows: new Date(now.getTime() - policy.publishedOutboxDays * 24 * HOUR_MS),
    analyticsRuns: new Date(now.getTime() - policy.analyticsRunDays * 24 * HOUR_MS),
  };
}

/**
 * Deletes what the platform no longer needs, kind by kind, in batches of `batchSize` rows, each its own
 * short transaction (docs/architecture.md, "Retention"). Stops when nothing is left or `shouldContinue`
 * says time is up; what is left waits for the next run.
 */
export async function purgeExpiredData(
  deps: { store: RetentionStore; clock: Clock },
  policy: RetentionPolicy,
  run: RetentionRun,
  shouldContinue: () => boolean = () => true,
): Promise<RetentionReport> {
  const cutoffs = retentionCutoffs(policy, deps.clock.now());
  const report: RetentionReport = {
    dryRun: run.dryRun === true,
    kinds: {} as RetentionReport['kinds'],
    complete: true,
  };
  for (const [kind, cutoff] of Object.entries(cutoffs) as [RetentionKind, Date][]) {
    const entry = { before: cutoff.toISOString(), rows: 0 };
    report.kinds[kind] = entry;
    if (run.dryRun) {
      entry.rows = await deps.store.count(kind, cutoff);
      continue;
    }
    for (;;) {
      if (!shouldContinue()) {
        report.complete = false;
        return report;
      }
      const deleted = await deps.store.purge(kind, cutoff, run.batchSize);
      entry.rows += deleted;
      if (deleted < run.batchSize) break;
      if (run.pauseMs) await wait(run.pauseMs);
    }
  }
  return report;
}
