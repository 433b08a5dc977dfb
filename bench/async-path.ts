import type { Database } from '../lambdas/shared/adapters/postgres/database';
import { PaymentCreated } from '../lambdas/shared/events';
import { createRound, type HttpRound } from './http-load';
import { percentile } from './stats';

// (4) and (5): what happens after 201, read from the runtime's own tables (the bench only reads).

export interface LagRound {
  events: number;
  p50Ms: number;
  p99Ms: number;
  /** Events the after-commit dispatch did not publish (left to the relay). */
  relayed: number;
}

/**
 * Commit -> PutEvents accepted, per PaymentCreated event of the window, from the outbox row itself:
 * published_at (set right after PutEvents answered) minus created_at (now() of the creating transaction,
 * i.e. its start). So each figure is an upper bound: it includes the transaction's own duration and the
 * markPublished round trip. Production code is not touched.
 */
export async function eventLag(db: Database, from: Date, to: Date): Promise<LagRound> {
  const rows = await db<{ lag_ms: number | null }[]>`
    SELECT (extract(epoch FROM published_at - created_at) * 1000)::float8 AS lag_ms
    FROM outbox
    WHERE detail_type = ${PaymentCreated.detailType} AND created_at >= ${from} AND created_at < ${to}`;
  const lags = rows.map((r) => r.lag_ms).filter((l): l is number => l !== null);
  return {
    events: rows.length,
    p50Ms: percentile(lags, 50),
    p99Ms: percentile(lags, 99),
    relayed: lags.filter((l) => l >= 1000).length,
  };
}

export interface BurstRound {
  payments: number;
  createRate: number;
  /** From the first request to the moment every payment is terminal with both notifications. */
  drainSeconds: number;
  paymentsPerSecond: number;
  createToTerminalP50Ms: number;
  createToTerminalP99Ms: number;
  failedRequests: number;
}

function userIdOf(token: string): string {
  return (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string }).sub;
}

async function progressOf(db: Database, users: string[]) {
  const [row] = await db<{ terminal: number; notifications: number }[]>`
    SELECT (SELECT count(*)::int FROM payments WHERE user_id = ANY(${users}) AND status <> 'PENDING') AS terminal,
           (SELECT count(*)::int FROM notifications WHERE user_id = ANY(${users})) AS notifications`;
  return row!;
}

/** A burst of `payments` POSTs over `connections` connections (fresh users), then waits for all of them. */
export async function burstRound(
  db: Database,
  baseUrl: string,
  tokens: readonly string[],
  payments: number,
  connections: number,
  timeoutMs = 300_000,
): Promise<BurstRound> {
  const users = tokens.map(userIdOf);
  const started = Date.now();
  const created: HttpRound = await createRound(baseUrl, tokens, connections, { amount: payments });
  let done = false;
  while (!done) {
    const p = await progressOf(db, users);
    done = p.terminal >= created.requests && p.notifications >= 2 * created.requests;
    if (!done) {
      if (Date.now() - started > timeoutMs) throw new Error(`Burst not drained: ${JSON.stringify(p)}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  const drainSeconds = (Date.now() - started) / 1000;
  const rows = await db<{ ms: number }[]>`
    SELECT (extract(epoch FROM updated_at - created_at) * 1000)::float8 AS ms
    FROM payments WHERE user_id = ANY(${users})`;
  const ms = rows.map((r) => r.ms);
  return {
    payments: created.requests,
    createRate: created.requestsPerSecond,
    drainSeconds,
    paymentsPerSecond: created.requests / drainSeconds,
    createToTerminalP50Ms: percentile(ms, 50),
    createToTerminalP99Ms: percentile(ms, 99),
    failedRequests: created.errors + created.non2xx,
  };
}
