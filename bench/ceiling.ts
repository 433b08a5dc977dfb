import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type Database, openDatabase } from '../lambdas/shared/adapters/postgres/database';
import { migrate } from '../lambdas/shared/adapters/postgres/migrate';
import { PostgresPaymentCreationStore } from '../lambdas/shared/adapters/postgres/payment-creation-store';
import { randomIds, systemClock } from '../lambdas/shared/adapters/system';
import { createPayment } from '../lambdas/shared/use-cases/create-payment';
import { ROOT } from './runtime';
import { percentile } from './stats';

// (1) The database's limit for POST /payments: the real use case and the real adapters (lock_timeout,
// claim the key, insert the payment, insert the outbox row, complete the key, one transaction), called
// straight through the `postgres` driver, with no HTTP, no authorizer and no publish after commit.
// It runs in a database of its own on the same server, so its rows never reach the runtime's workers.

export interface LoadRound {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  /** CPU (ms) and commits per request, where measured. */
  perRequest?: Record<string, number>;
}

export async function openCeilingDatabase(serverUrl: (db: string) => string, name = 'bench_ceiling') {
  const admin = openDatabase(serverUrl('postgres'), { max: 1 });
  try {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name}`);
    await admin.unsafe(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = serverUrl(name);
  const setup = openDatabase(url, { max: 1 });
  await migrate(setup, join(ROOT, 'migrations'));
  await setup.end();
  return url;
}

/** `connections` concurrent callers, each a pool connection of its own, for `durationMs`. */
export async function ceilingRound(url: string, connections: number, durationMs: number): Promise<LoadRound> {
  const db: Database = openDatabase(url, { max: connections });
  try {
    const deps = {
      store: new PostgresPaymentCreationStore(db),
      clock: systemClock,
      ids: randomIds,
    };
    const users = Array.from({ length: connections }, () => randomUUID());
    // Open every connection before the clock starts, as autocannon does.
    await Promise.all(users.map(() => db`SELECT 1`));
    const latencies: number[] = [];
    let errors = 0;
    const started = performance.now();
    const deadline = started + durationMs;
    await Promise.all(
      users.map(async (userId, i) => {
        while (performance.now() < deadline) {
          const t0 = performance.now();
          try {
            await createPayment(deps, {
              userId,
              idempotencyKey: randomUUID(),
              body: { amount: 1000 + (latencies.length % 5000), currency: 'EUR', description: `bench ${i}` },
              correlationId: randomUUID(),
              answer: (payment) => ({ status: 201, body: JSON.stringify(payment) }),
            });
            latencies.push(performance.now() - t0);
          } catch {
            errors++;
          }
        }
      }),
    );
    const elapsedS = (performance.now() - started) / 1000;
    return {
      requestsPerSecond: latencies.length / elapsedS,
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      requests: latencies.length,
      errors,
    };
  } finally {
    await db.end({ timeout: 2 });
  }
}
