import { writeFile } from 'node:fs/promises';
import { FileObjectStore } from '../../lambdas/shared/adapters/analytics/object-stores';
import { ParquetExports } from '../../lambdas/shared/adapters/analytics/parquet-exports';
import {
  dailyStats,
  lastAnalyticsRun,
  PostgresAnalyticsStore,
} from '../../lambdas/shared/adapters/postgres/analytics-store';
import type { Database } from '../../lambdas/shared/adapters/postgres/database';
import { systemClock } from '../../lambdas/shared/adapters/system';
import type { DailyStats } from '../../lambdas/shared/domain/analytics';
import { type AnalyticsReport, runAnalytics } from '../../lambdas/shared/use-cases/run-analytics';
import { analyticsExportDir, LOCAL_ANALYTICS_SAFE_LAG_SECONDS } from '../../local/handler-environment';
import { analyticsChartSvg, totalsPerDay } from './analytics-chart';
import { table } from './format';

// `analytics run` and `analytics report` (docs/architecture.md, "Analytics"; docs/RUNBOOK.md, "Analytics").

const DAY_MS = 86_400_000;

/** The local run: the scheduled function's use case, exporting under the local data directory. */
export async function analyticsRun(
  db: Database,
  options: { dataDir: string; from?: string; to?: string },
): Promise<AnalyticsReport & { exportDir: string }> {
  const exportDir = analyticsExportDir(options.dataDir);
  const report = await runAnalytics(
    {
      store: new PostgresAnalyticsStore(db),
      exports: new ParquetExports(new FileObjectStore(exportDir)),
      clock: systemClock,
    },
    {
      batchSize: 1000,
      safeLagMs: LOCAL_ANALYTICS_SAFE_LAG_SECONDS * 1000,
      // --from and --to are days, both included.
      range:
        options.from && options.to
          ? {
              from: new Date(`${options.from}T00:00:00Z`),
              to: new Date(Date.parse(`${options.to}T00:00:00Z`) + DAY_MS),
            }
          : undefined,
    },
  );
  return { ...report, exportDir };
}

export function formatAnalyticsRun(report: AnalyticsReport & { exportDir: string }): string {
  return [
    `${report.kind === 'backfill' ? 'Backfill' : 'Incremental run'}: ${report.payments} payment(s) up to ${report.window.to}` +
      `${report.complete ? '' : ' (stopped early: run it again)'}`,
    `Stats recomputed: ${report.days.join(', ') || 'none'}`,
    `Parquet written under ${report.exportDir}: ${report.exported.join(', ') || 'none'}`,
  ].join('\n');
}

export interface AnalyticsDailyReport {
  days: number;
  stats: DailyStats[];
  lastRun: Awaited<ReturnType<typeof lastAnalyticsRun>>;
  chart: string;
}

/** The last `days` days of daily_payment_stats, and the SVG chart written to `chartFile`. */
export async function analyticsReport(
  db: Database,
  options: { days: number; chartFile: string },
): Promise<AnalyticsDailyReport> {
  const stats = await dailyStats(db, options.days, new Date());
  await writeFile(options.chartFile, analyticsChartSvg(totalsPerDay(stats)));
  return { days: options.days, stats, lastRun: await lastAnalyticsRun(db), chart: options.chartFile };
}

const percent = (rate: number) => `${(rate * 100).toFixed(1)}%`;

export function formatAnalyticsReport(report: AnalyticsDailyReport): string {
  const rows = report.stats.map((s) => [
    s.day,
    s.currency,
    s.payments,
    s.succeeded,
    s.declined,
    s.blocked,
    s.amountSucceeded,
    percent(s.successRate),
    percent(s.declineRate),
    percent(s.blockRate),
    Math.round(s.p50TimeToTerminalMs),
    Math.round(s.p95TimeToTerminalMs),
  ]);
  const last = report.lastRun
    ? `Last run: ${report.lastRun.finishedAt.toISOString()} (${report.lastRun.kind}, ${report.lastRun.payments} payment(s), up to ${report.lastRun.windowTo.toISOString()})`
    : 'No analytics run yet.';
  return [
    `Daily payment stats, last ${report.days} day(s) (amounts in minor units of the currency)`,
    rows.length > 0
      ? table(
          [
            'day',
            'cur',
            'payments',
            'ok',
            'declined',
            'blocked',
            'amount ok',
            'success',
            'decline',
            'block',
            'p50 ms',
            'p95 ms',
          ],
          rows,
        )
      : '(no stats in these days)',
    last,
    `Chart: ${report.chart}`,
  ].join('\n');
}
