import { EXPORT_TABLES, type ExportTable } from '../domain/analytics';
import type { AnalyticsExports, AnalyticsSource, AnalyticsStore, Clock } from './ports';

/** How a run reads (docs/architecture.md, "Analytics"). */
export interface AnalyticsRun {
  /** Changes per batch; each batch is one short transaction. */
  batchSize: number;
  /**
   * Changes younger than this are left to a later run: a row whose time was stamped before its transaction
   * committed becomes visible within it (see "Analytics": late commits), so the cursor never passes it.
   */
  safeLagMs: number;
  /** A backfill of [from, to) by the time payments changed, instead of the cursors (which it leaves alone). */
  range?: { from: Date; to: Date };
}

export interface AnalyticsReport {
  kind: 'incremental' | 'backfill';
  /** What was read: changes before `to` (and, in a backfill, from `from`). */
  window: { from: string | null; to: string };
  payments: number;
  /** Days whose stats were recomputed. */
  days: string[];
  /** Days whose Parquet exports were written (stale ones an earlier run left included). */
  exported: string[];
  /** False when `shouldContinue` stopped the run with work left (the next run goes on from there). */
  complete: boolean;
}

const SOURCES: readonly AnalyticsSource[] = ['payments', 'notifications'];

/**
 * One analytics run: rewrites the facts of every payment that changed since the cursors (or in the backfill
 * range), recomputes the stats of their days, then writes the Parquet exports of every stale day. Batches
 * and exports are idempotent, so a run cut short, crashed or repeated leaves the same rows as one clean run.
 */
export async function runAnalytics(
  deps: { store: AnalyticsStore; exports: AnalyticsExports; clock: Clock },
  run: AnalyticsRun,
  shouldContinue: () => boolean = () => true,
): Promise<AnalyticsReport> {
  const safe = new Date(deps.clock.now().getTime() - run.safeLagMs);
  const to = run.range && run.range.to < safe ? run.range.to : safe;
  const report: AnalyticsReport = {
    kind: run.range ? 'backfill' : 'incremental',
    window: { from: run.range?.from.toISOString() ?? null, to: to.toISOString() },
    payments: 0,
    days: [],
    exported: [],
    complete: true,
  };
  const days = new Set<string>();
  const add = (batch: { payments: number; days: string[] }) => {
    report.payments += batch.payments;
    for (const day of batch.days) days.add(day);
  };

  if (run.range) {
    let after: { at: Date; id: string } | undefined;
    do {
      if (!shouldContinue()) report.complete = false;
      else {
        const batch = await deps.store.backfill({ from: run.range.from, to }, after, run.batchSize);
        add(batch);
        after = batch.next;
      }
    } while (after && report.complete);
  } else {
    for (const source of SOURCES) {
      for (let done = false; !done && report.complete; ) {
        if (!shouldContinue()) report.complete = false;
        else {
          const batch = await deps.store.advance(source, to, run.batchSize);
          add(batch);
          done = batch.done;
        }
      }
    }
  }
  report.days = [...days].sort();

  for (const { day, version } of await deps.store.staleExports()) {
    if (!shouldContinue()) {
      report.complete = false;
      break;
    }
    for (const table of Object.keys(EXPORT_TABLES) as ExportTable[]) {
      await deps.exports.write(table, day, await deps.store.exportRows(table, day));
    }
    await deps.store.clearStale(day, version);
    report.exported.push(day);
  }

  await deps.store.recordRun({
    kind: report.kind,
    from: run.range?.from,
    to,
    payments: report.payments,
    days: report.days.length,
    complete: report.complete,
  });
  return report;
}
