import type { Queryable } from '../../lambdas/shared/adapters/postgres/database';

// The operators' read-only SQL (`npm run ops -- outbox lag | payments stuck`). It reads the outbox and
// payments tables that lambdas/shared/adapters/postgres owns, and writes nothing; it lives here so no
// function imports it.

export interface OutboxLag {
  unpublished: number;
  /** Unpublished rows whose next attempt is due now (the relay should take them on its next sweep). */
  due: number;
  /** Unpublished rows that failed at least once. */
  failing: number;
  oldestCreatedAt: Date | null;
  /** Age of the oldest unpublished row, by the database's clock. */
  oldestAgeSeconds: number | null;
  maxAttempts: number;
  byDetailType: { detailType: string; count: number }[];
  /** The most frequent last errors among unpublished rows. */
  lastErrors: { error: string; count: number; maxAttempts: number }[];
}

/** Operators' view of events not yet on the bus (read-only; `npm run ops -- outbox lag`). */
export async function outboxLag(db: Queryable, options: { errors: number }): Promise<OutboxLag> {
  const [summary] = await db<
    {
      unpublished: number;
      due: number;
      failing: number;
      oldest_created_at: Date | null;
      oldest_age_seconds: number | null;
      max_attempts: number;
    }[]
  >`
    SELECT count(*)::int AS unpublished,
           count(*) FILTER (WHERE next_attempt_at <= now())::int AS due,
           count(*) FILTER (WHERE attempts > 0)::int AS failing,
           min(created_at) AS oldest_created_at,
           floor(extract(epoch FROM now() - min(created_at)))::int AS oldest_age_seconds,
           coalesce(max(attempts), 0)::int AS max_attempts
    FROM outbox WHERE published_at IS NULL`;
  const byDetailType = await db<{ detail_type: string; count: number }[]>`
    SELECT detail_type, count(*)::int AS count FROM outbox WHERE published_at IS NULL
    GROUP BY detail_type ORDER BY count DESC, detail_type`;
  const errors = await db<{ last_error: string; count: number; max_attempts: number }[]>`
    SELECT last_error, count(*)::int AS count, max(attempts)::int AS max_attempts FROM outbox
    WHERE published_at IS NULL AND last_error IS NOT NULL
    GROUP BY last_error ORDER BY count DESC, last_error LIMIT ${options.errors}`;
  return {
    unpublished: summary!.unpublished,
    due: summary!.due,
    failing: summary!.failing,
    oldestCreatedAt: summary!.oldest_created_at,
    oldestAgeSeconds: summary!.oldest_age_seconds,
    maxAttempts: summary!.max_attempts,
    byDetailType: byDetailType.map((r) => ({ detailType: r.detail_type, count: r.count })),
    lastErrors: errors.map((r) => ({ error: r.last_error, count: r.count, maxAttempts: r.max_attempts })),
  };
}

export interface StuckPayments {
  count: number;
  oldestCreatedAt: Date | null;
  /** By the database's clock. */
  oldestAgeSeconds: number | null;
  /** The oldest ones, up to the requested limit. */
  oldest: { id: string; createdAt: Date; amount: number; currency: string }[];
}

/** PENDING payments created more than `olderThanSeconds` ago (read-only; `npm run ops -- payments stuck`). */
export async function findStuckPayments(
  db: Queryable,
  options: { olderThanSeconds: number; limit: number },
): Promise<StuckPayments> {
  const [summary] = await db<
    { count: number; oldest_created_at: Date | null; oldest_age_seconds: number | null }[]
  >`
    SELECT count(*)::int AS count, min(created_at) AS oldest_created_at,
           floor(extract(epoch FROM now() - min(created_at)))::int AS oldest_age_seconds
    FROM payments
    WHERE status = 'PENDING' AND created_at < now() - make_interval(secs => ${options.olderThanSeconds})`;
  const rows = await db<{ id: string; created_at: Date; amount: number; currency: string }[]>`
    SELECT id, created_at, amount, currency FROM payments
    WHERE status = 'PENDING' AND created_at < now() - make_interval(secs => ${options.olderThanSeconds})
    ORDER BY created_at, id LIMIT ${options.limit}`;
  return {
    count: summary!.count,
    oldestCreatedAt: summary!.oldest_created_at,
    oldestAgeSeconds: summary!.oldest_age_seconds,
    oldest: rows.map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      amount: r.amount,
      currency: r.currency.trim(),
    })),
  };
}
