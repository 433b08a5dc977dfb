import type { DailyStats, ExportRow, ExportTable } from '../../domain/analytics';
import type { AnalyticsBatch, AnalyticsSource, AnalyticsStore } from '../../use-cases/ports';
import type { Database, Queryable } from './database';

// The analytics tables (migrations/0008_analytics.sql; docs/architecture.md, "Analytics"). Every write is an
// upsert, so a batch done twice writes the same rows. Reads use the partial index of terminal payments by
// (updated_at, id) and notifications by (created_at, id): a run costs what changed, not the table.

/**
 * Rewrites the facts of `ids` (the terminal ones), recomputes the stats of the (day, currency) they fall in
 * and marks those days' exports stale; returns the days (sorted, so concurrent marks lock in one order).
 */
async function refresh(tx: Queryable, ids: string[]): Promise<AnalyticsBatch> {
  if (ids.length === 0) return { payments: 0, days: [] };
  const touched = await tx<{ day: string; currency: string }[]>`
    INSERT INTO payment_facts (payment_id, user_id, currency, amount, status, failure_code, risk_score,
                               risk_level, risk_outcome, created_at, settled_at, time_to_terminal_ms,
                               notifications_sent, day)
    SELECT p.id, p.user_id, p.currency, p.amount, p.status, p.failure_code, r.score, r.level, r.outcome,
           p.created_at, p.updated_at,
           floor(extract(epoch FROM p.updated_at - p.created_at) * 1000)::bigint,
           (SELECT count(*) FROM notifications n WHERE n.payment_id = p.id)::int,
           (p.created_at AT TIME ZONE 'UTC')::date
    FROM payments p LEFT JOIN risk_assessments r ON r.payment_id = p.id
    WHERE p.id = ANY(${ids}::uuid[]) AND p.status <> 'PENDING'
    ON CONFLICT (payment_id) DO UPDATE SET
      user_id = EXCLUDED.user_id, currency = EXCLUDED.currency, amount = EXCLUDED.amount,
      status = EXCLUDED.status, failure_code = EXCLUDED.failure_code, risk_score = EXCLUDED.risk_score,
      risk_level = EXCLUDED.risk_level, risk_outcome = EXCLUDED.risk_outcome,
      created_at = EXCLUDED.created_at, settled_at = EXCLUDED.settled_at,
      time_to_terminal_ms = EXCLUDED.time_to_terminal_ms,
      notifications_sent = EXCLUDED.notifications_sent, day = EXCLUDED.day
    RETURNING day::text AS day, currency::text AS currency`;
  const pairs = [...new Set(touched.map((t) => `${t.day} ${t.currency}`))].sort();
  const days = [...new Set(touched.map((t) => t.day))].sort();
  if (pairs.length > 0) {
    // Declined: failed for any reason but the risk block (the gateway's declines); blocked: risk_blocked.
    await tx`
      INSERT INTO daily_payment_stats AS s
      SELECT f.day, f.currency, count(*),
             count(*) FILTER (WHERE f.status = 'SUCCEEDED'),
             count(*) FILTER (WHERE f.status = 'FAILED'),
             count(*) FILTER (WHERE f.status = 'FAILED' AND f.failure_code IS DISTINCT FROM 'risk_blocked'),
             count(*) FILTER (WHERE f.failure_code = 'risk_blocked'),
             sum(f.amount)::bigint,
             coalesce(sum(f.amount) FILTER (WHERE f.status = 'SUCCEEDED'), 0)::bigint,
             (count(*) FILTER (WHERE f.status = 'SUCCEEDED'))::float8 / count(*),
             (count(*) FILTER (WHERE f.status = 'FAILED' AND f.failure_code IS DISTINCT FROM 'risk_blocked'))::float8 / count(*),
             (count(*) FILTER (WHERE f.failure_code = 'risk_blocked'))::float8 / count(*),
             percentile_cont(0.5) WITHIN GROUP (ORDER BY f.time_to_terminal_ms),
             percentile_cont(0.95) WITHIN GROUP (ORDER BY f.time_to_terminal_ms)
      FROM payment_facts f
      JOIN unnest(${pairs.map((p) => p.slice(0, 10))}::date[], ${pairs.map((p) => p.slice(11))}::text[])
        AS t(day, currency) ON f.day = t.day AND f.currency = t.currency
      GROUP BY f.day, f.currency
      ON CONFLICT (day, currency) DO UPDATE SET
        payments = EXCLUDED.payments, succeeded = EXCLUDED.succeeded, failed = EXCLUDED.failed,
        declined = EXCLUDED.declined, blocked = EXCLUDED.blocked, amount_total = EXCLUDED.amount_total,
        amount_succeeded = EXCLUDED.amount_succeeded, success_rate = EXCLUDED.success_rate,
        decline_rate = EXCLUDED.decline_rate, block_rate = EXCLUDED.block_rate,
        p50_time_to_terminal_ms = EXCLUDED.p50_time_to_terminal_ms,
        p95_time_to_terminal_ms = EXCLUDED.p95_time_to_terminal_ms`;
    await tx`
      INSERT INTO analytics_stale_exports (day) SELECT unnest(${days}::date[])
      ON CONFLICT (day) DO UPDATE SET version = analytics_stale_exports.version + 1`;
  }
  return { payments: new Set(ids).size, days };
}

/** Each source's changes: its rows by (time, id) and the payment each one concerns. */
const CHANGES: Record<AnalyticsSource, (tx: Queryable, before: Date, limit: number) => Promise<Change[]>> = {
  payments: (tx, before, limit) => tx<Change[]>`
    SELECT p.id AS payment_id, p.id
    FROM payments p, analytics_cursors c
    WHERE c.source = 'payments' AND p.status <> 'PENDING'
      AND (p.updated_at, p.id) > (c.at, c.id) AND p.updated_at < ${before}
    ORDER BY p.updated_at, p.id LIMIT ${limit}`,
  notifications: (tx, before, limit) => tx<Change[]>`
    SELECT n.payment_id, n.id
    FROM notifications n, analytics_cursors c
    WHERE c.source = 'notifications' AND (n.created_at, n.id) > (c.at, c.id) AND n.created_at < ${before}
    ORDER BY n.created_at, n.id LIMIT ${limit}`,
};
type Change = { payment_id: string; id: string };

/** The cursor moves to the last change's own (time, id), copied in SQL so no precision is lost on the way. */
const MOVE_CURSOR: Record<AnalyticsSource, (tx: Queryable, lastId: string) => Promise<unknown>> = {
  payments: (tx, id) => tx`
    UPDATE analytics_cursors c SET at = p.updated_at, id = p.id FROM payments p
    WHERE c.source = 'payments' AND p.id = ${id}`,
  notifications: (tx, id) => tx`
    UPDATE analytics_cursors c SET at = n.created_at, id = n.id FROM notifications n
    WHERE c.source = 'notifications' AND n.id = ${id}`,
};

const EXPORT_QUERIES: Record<ExportTable, (db: Queryable, day: string) => Promise<ExportRow[]>> = {
  payment_facts: (db, day) => db<ExportRow[]>`
    SELECT payment_id::text, user_id, currency::text, amount, status, failure_code, risk_score, risk_level,
           risk_outcome, created_at, settled_at, time_to_terminal_ms, notifications_sent
    FROM payment_facts WHERE day = ${day}::date ORDER BY created_at, payment_id`,
  daily_payment_stats: (db, day) => db<ExportRow[]>`
    SELECT currency::text, payments, succeeded, failed, declined, blocked, amount_total, amount_succeeded,
           success_rate, decline_rate, block_rate, p50_time_to_terminal_ms, p95_time_to_terminal_ms
    FROM daily_payment_stats WHERE day = ${day}::date ORDER BY currency`,
};

export class PostgresAnalyticsStore implements AnalyticsStore {
  constructor(private readonly db: Database) {}

  advance(source: AnalyticsSource, before: Date, limit: number) {
    return this.db.begin(async (tx) => {
      // Held to the commit: a concurrent run's batch of this source waits here, then reads after this one.
      await tx`SELECT 1 FROM analytics_cursors WHERE source = ${source} FOR UPDATE`;
      const changes = await CHANGES[source](tx, before, limit);
      const batch = await refresh(
        tx,
        changes.map((c) => c.payment_id),
      );
      if (changes.length > 0) await MOVE_CURSOR[source](tx, changes.at(-1)!.id);
      return { ...batch, done: changes.length < limit };
    }) as Promise<AnalyticsBatch & { done: boolean }>;
  }

  backfill(range: { from: Date; to: Date }, after: { at: Date; id: string } | undefined, limit: number) {
    return this.db.begin(async (tx) => {
      const start = after ?? { at: range.from, id: '00000000-0000-0000-0000-000000000000' };
      const rows = await tx<{ id: string; updated_at: Date }[]>`
        SELECT id, updated_at FROM payments
        WHERE status <> 'PENDING' AND (updated_at, id) > (${start.at}, ${start.id}::uuid)
          AND updated_at >= ${range.from} AND updated_at < ${range.to}
        ORDER BY updated_at, id LIMIT ${limit}`;
      const batch = await refresh(
        tx,
        rows.map((r) => r.id),
      );
      const last = rows.at(-1);
      // payments.updated_at is stamped by the application in whole milliseconds: a Date keeps it exactly.
      return {
        ...batch,
        next: rows.length === limit && last ? { at: last.updated_at, id: last.id } : undefined,
      };
    }) as Promise<AnalyticsBatch & { next?: { at: Date; id: string } }>;
  }

  async staleExports() {
    return this.db<{ day: string; version: number }[]>`
      SELECT day::text AS day, version FROM analytics_stale_exports ORDER BY day`;
  }

  async clearStale(day: string, version: number) {
    await this.db`DELETE FROM analytics_stale_exports WHERE day = ${day}::date AND version = ${version}`;
  }

  exportRows(table: ExportTable, day: string) {
    return EXPORT_QUERIES[table](this.db, day);
  }

  async recordRun(run: Parameters<AnalyticsStore['recordRun']>[0]) {
    await this.db`
      INSERT INTO analytics_runs (kind, window_from, window_to, payments, days, complete)
      VALUES (${run.kind}, ${run.from ?? null}, ${run.to}, ${run.payments}, ${run.days}, ${run.complete})`;
  }
}

/** The last `days` days of daily_payment_stats up to and including `until` (the ops report). */
export async function dailyStats(db: Queryable, days: number, until: Date): Promise<DailyStats[]> {
  return db<DailyStats[]>`
    SELECT day::text AS day, currency::text AS currency, payments, succeeded, failed, declined, blocked,
           amount_total AS "amountTotal", amount_succeeded AS "amountSucceeded",
           success_rate AS "successRate", decline_rate AS "declineRate", block_rate AS "blockRate",
           p50_time_to_terminal_ms AS "p50TimeToTerminalMs", p95_time_to_terminal_ms AS "p95TimeToTerminalMs"
    FROM daily_payment_stats
    WHERE day > (${until}::timestamptz AT TIME ZONE 'UTC')::date - ${days}::int
      AND day <= (${until}::timestamptz AT TIME ZONE 'UTC')::date
    ORDER BY day, currency`;
}

/** When the last successful run finished, and what it did (null before the first). */
export async function lastAnalyticsRun(db: Queryable) {
  const [run] = await db<
    { kind: string; windowTo: Date; payments: number; days: number; complete: boolean; finishedAt: Date }[]
  >`
    SELECT kind, window_to AS "windowTo", payments, days, complete, finished_at AS "finishedAt"
    FROM analytics_runs ORDER BY id DESC LIMIT 1`;
  return run ?? null;
}

/** Retention: deletes up to `limit` runs that finished before `cutoff`, oldest first. */
export async function purgeRuns(db: Queryable, cutoff: Date, limit: number): Promise<number> {
  const rows = await db`
    DELETE FROM analytics_runs WHERE id IN (
      SELECT id FROM analytics_runs WHERE finished_at < ${cutoff} ORDER BY id LIMIT ${limit})`;
  return rows.count;
}

export async function countRunsBefore(db: Queryable, cutoff: Date): Promise<number> {
  const [row] = await db<
    { n: number }[]
  >`SELECT count(*)::int AS n FROM analytics_runs WHERE finished_at < ${cutoff}`;
  return row?.n ?? 0;
}
