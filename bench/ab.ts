import { join } from 'node:path';
import { PostgresRetentionStore } from '../lambdas/shared/adapters/postgres/retention-store';
import { systemClock } from '../lambdas/shared/adapters/system';
import { PaymentCreated, PaymentSucceeded } from '../lambdas/shared/events';
import { purgeExpiredData } from '../lambdas/shared/use-cases/purge-expired-data';
import { ceilingRound, openCeilingDatabase } from './ceiling';
import { createRound, PAYMENT_BODY } from './http-load';
import { machine } from './machine';
import {
  type BenchRuntime,
  ROOT,
  startBenchRuntime,
  type Usage,
  usageBetween,
  waitUntilQuiet,
} from './runtime';
import { percentile, progress, round, spread } from './stats';

// `BENCH_AB=<another checkout> npm run bench`: this checkout ("after") against another ("before", e.g. a
// worktree of main), both runtimes up at once and every measurement interleaved round by round, so both
// see the same machine. The figures of docs/BENCHMARKS.md, "Outbox relay".

const env = process.env;
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const ROUND_S = Number(env.BENCH_ROUND_SECONDS ?? 3);
const LONE = Number(env.BENCH_LONE_PAYMENTS ?? 20);
const PURGE_ROWS = Number(env.BENCH_PURGE_ROWS ?? 100_000);
const N = 16;

interface Variant {
  label: string;
  entry?: string;
  runtime?: BenchRuntime;
  tokens?: string[];
  ceilingUrl?: string;
}

const variants: Variant[] = [
  { label: 'before', entry: join(env.BENCH_AB!, 'bin', 'local.ts') },
  { label: 'after' },
];
/** Interleaved: round 1 before, after; round 2 after, before; ... */
const inOrder = (r: number) => (r % 2 ? variants : [...variants].reverse());
const out: Record<string, Record<string, number[]>> = { before: {}, after: {} };
const note = (v: Variant, key: string, value: number) => {
  out[v.label]![key] ??= [];
  out[v.label]![key]!.push(value);
};

async function queueTransactions(v: Variant): Promise<number> {
  const status = (await (await fetch(`${v.runtime!.baseUrl}/local/status`)).json()) as {
    queueTransactions?: number;
  };
  return status.queueTransactions ?? Number.NaN;
}

async function lagOf(v: Variant, detailType: string, from: Date, to: Date) {
  const rows = await v.runtime!.db<{ ms: number }[]>`
    SELECT (extract(epoch FROM published_at - created_at) * 1000)::float8 AS ms FROM outbox
    WHERE detail_type = ${detailType} AND created_at >= ${from} AND created_at < ${to} AND published_at IS NOT NULL`;
  const ms = rows.map((r) => r.ms);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99), n: ms.length };
}

async function startAll(consumers: boolean) {
  for (const v of variants) {
    progress(`starting ${v.label} (${v.entry ?? 'this checkout'}), consumers ${consumers ? 'on' : 'off'}`);
    v.runtime = await startBenchRuntime({ entry: v.entry, env: consumers ? {} : { LOCAL_CONSUMERS: 'off' } });
    v.tokens = await v.runtime.tokens(N);
    v.ceilingUrl = consumers ? undefined : await openCeilingDatabase(v.runtime.serverUrl);
  }
}

async function stopAll() {
  for (const v of variants) {
    await v.runtime?.stop();
    v.runtime = undefined;
  }
}

async function idleRound(v: Variant, seconds: number) {
  const u0 = await v.runtime!.usage();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const u1 = await v.runtime!.usage();
  note(v, 'idle runtime CPU ms/s', (u1.runtimeCpuMs - u0.runtimeCpuMs) / seconds);
  note(v, 'idle PostgreSQL CPU ms/s', (u1.postgresCpuMs - u0.postgresCpuMs) / seconds);
  note(v, 'idle commits/s', (u1.commits - u0.commits) / seconds);
}

/** One payment at a time on an idle system, each given time to leave before the next. */
async function loneRound(v: Variant) {
  const from = new Date();
  for (let i = 0; i < LONE; i++) {
    const res = await fetch(`${v.runtime!.baseUrl}/payments`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${v.tokens![0]}`,
        'content-type': 'application/json',
        'idempotency-key': crypto.randomUUID(),
      },
      body: PAYMENT_BODY,
    });
    await res.arrayBuffer();
    await waitUntilQuiet(v.runtime!.db, { queues: false, timeoutMs: 30_000 });
    await new Promise((r) => setTimeout(r, 50 + Math.random() * 100));
  }
  const lag = await lagOf(v, PaymentCreated.detailType, from, new Date());
  note(v, 'lone lag p50 ms', lag.p50);
  note(v, 'lone lag p99 ms', lag.p99);
}

async function apiRound(v: Variant) {
  const rt = v.runtime!;
  const u0 = await rt.usage();
  const c = await ceilingRound(v.ceilingUrl!, N, ROUND_S * 1000);
  const u1 = await rt.usage();
  const from = new Date();
  const h = await createRound(rt.baseUrl, v.tokens!, N, { durationS: ROUND_S });
  const to = new Date();
  await waitUntilQuiet(rt.db, { queues: false });
  const u2 = await rt.usage();
  const perTx = usageBetween(u0, u1, c.requests);
  const perPayment = usageBetween(u1, u2, h.requests);
  const lag = await lagOf(v, PaymentCreated.detailType, from, to);
  note(v, 'ceiling req/s', c.requestsPerSecond);
  note(v, 'ceiling p99 ms', c.p99Ms);
  note(v, 'create req/s', h.requestsPerSecond);
  note(v, 'create p99 ms', h.p99Ms);
  note(v, 'create / ceiling %', (100 * h.requestsPerSecond) / c.requestsPerSecond);
  note(v, 'create p99 / ceiling p99', h.p99Ms / c.p99Ms);
  note(v, 'lag p50 ms (16 conn)', lag.p50);
  note(v, 'lag p99 ms (16 conn)', lag.p99);
  note(v, 'commits per payment (API + relay)', perPayment.commits);
  note(v, 'PostgreSQL CPU ms per payment (API + relay)', perPayment.postgresCpuMs);
  note(v, 'PostgreSQL CPU ms per ceiling transaction', perTx.postgresCpuMs);
  note(v, 'runtime CPU ms per payment (API + relay)', perPayment.runtimeCpuMs);
  note(v, 'failed requests', h.errors + h.non2xx);
  progress(
    `  ${v.label}: ceiling ${c.requestsPerSecond.toFixed(0)}/s p99 ${c.p99Ms.toFixed(1)}; create ${h.requestsPerSecond.toFixed(0)}/s p99 ${h.p99Ms}; ` +
      `lag p50 ${lag.p50.toFixed(1)} p99 ${lag.p99.toFixed(1)} ms; ${perPayment.commits.toFixed(2)} commits/payment`,
  );
}

async function asyncRound(v: Variant) {
  const rt = v.runtime!;
  const u0: Usage = await rt.usage();
  const q0 = await queueTransactions(v);
  const from = new Date();
  const h = await createRound(rt.baseUrl, v.tokens!, N, { durationS: ROUND_S });
  const to = new Date();
  await waitUntilQuiet(rt.db);
  const q1 = await queueTransactions(v);
  const u1 = await rt.usage();
  const per = usageBetween(u0, u1, h.requests);
  const created = await lagOf(v, PaymentCreated.detailType, from, to);
  const outcome = await lagOf(v, PaymentSucceeded.detailType, from, new Date());
  note(v, 'async: commits per payment (all)', per.commits);
  note(v, 'async: commits per payment (platform tables only)', per.commits - (q1 - q0) / h.requests);
  note(v, 'async: PostgreSQL CPU ms per payment (incl. queue emulation)', per.postgresCpuMs);
  note(v, 'async: runtime CPU ms per payment', per.runtimeCpuMs);
  note(v, 'async: PaymentCreated lag p99 ms', created.p99);
  note(v, 'async: PaymentSucceeded lag p50 ms', outcome.p50);
  note(v, 'async: PaymentSucceeded lag p99 ms', outcome.p99);
  progress(
    `  ${v.label}: ${h.requestsPerSecond.toFixed(0)}/s; ${per.commits.toFixed(2)} commits/payment, ` +
      `${(per.commits - (q1 - q0) / h.requests).toFixed(2)} without the queue emulation; PG CPU ${per.postgresCpuMs.toFixed(2)} ms`,
  );
}

async function seedOldRows(v: Variant, rows: number) {
  await v.runtime!.db`
    INSERT INTO outbox (event_id, source, detail_type, detail, created_at, published_at, next_attempt_at)
    SELECT gen_random_uuid(), 'payments.api', 'PaymentCreated', '{"bench":true}'::jsonb,
           now() - interval '30 days', now() - interval '30 days', now() - interval '30 days'
    FROM generate_series(1, ${rows})`;
  await v.runtime!.db`VACUUM ANALYZE outbox`;
}

/** Create throughput at 16 connections, with a retention purge of old rows running or not (after only). */
async function purgeRound(v: Variant, purging: boolean) {
  const rt = v.runtime!;
  if (purging) await seedOldRows(v, PURGE_ROWS);
  let stop = false;
  const purge = purging
    ? purgeExpiredData(
        { store: new PostgresRetentionStore(rt.db), clock: systemClock },
        { idempotencyKeyHours: 168, publishedOutboxDays: 7, analyticsRunDays: 30 },
        { batchSize: 500, pauseMs: 20 },
        () => !stop,
      )
    : undefined;
  const h = await createRound(rt.baseUrl, v.tokens!, N, { durationS: ROUND_S });
  stop = true;
  const report = await purge;
  await waitUntilQuiet(rt.db, { queues: false });
  const key = purging ? 'with purge' : 'no purge';
  note(v, `create req/s, ${key}`, h.requestsPerSecond);
  note(v, `create p99 ms, ${key}`, h.p99Ms);
  if (report) note(v, 'rows purged during the round', report.kinds.publishedOutboxRows.rows);
  progress(`  ${key}: ${h.requestsPerSecond.toFixed(0)}/s p99 ${h.p99Ms} ms`);
}

export async function runAb(): Promise<void> {
  const started = Date.now();
  const m = await machine(ROOT);
  try {
    await startAll(false);
    progress('idle: 10 s each, interleaved');
    for (let r = 1; r <= ROUNDS; r++) for (const v of inOrder(r)) await idleRound(v, 10);
    progress(`warm-up ${ROUND_S} s each`);
    for (const v of variants) {
      await ceilingRound(v.ceilingUrl!, N, ROUND_S * 1000);
      await createRound(v.runtime!.baseUrl, v.tokens!, N, { durationS: ROUND_S });
      await waitUntilQuiet(v.runtime!.db, { queues: false });
    }
    for (let r = 1; r <= ROUNDS; r++) {
      progress(`API alone, 16 connections, round ${r}`);
      for (const v of inOrder(r)) await apiRound(v);
    }
    for (let r = 1; r <= ROUNDS; r++) {
      progress(`lone payments, round ${r}`);
      for (const v of inOrder(r)) await loneRound(v);
    }
    const after = variants[1]!;
    for (let r = 1; r <= ROUNDS; r++) {
      progress(`retention purge of ${PURGE_ROWS} old rows vs none (after), round ${r}`);
      for (const purging of r % 2 ? [false, true] : [true, false]) await purgeRound(after, purging);
    }
    await stopAll();
    await startAll(true);
    for (const v of variants) {
      await createRound(v.runtime!.baseUrl, v.tokens!, N, { durationS: ROUND_S });
      await waitUntilQuiet(v.runtime!.db);
    }
    for (let r = 1; r <= ROUNDS; r++) {
      progress(`whole async path, 16 connections, round ${r}`);
      for (const v of inOrder(r)) await asyncRound(v);
    }
    await stopAll();
    // CloudWatch Logs volume: the functions' own lines at the stack's prod level (INFO), per payment.
    progress('log bytes per payment at LOG_LEVEL=INFO (after, 500 payments, whole path)');
    const logged = await startBenchRuntime({ env: { LOG_LEVEL: 'INFO' } });
    try {
      const tokens = await logged.tokens(N);
      await createRound(logged.baseUrl, tokens, N, { amount: 100 });
      await waitUntilQuiet(logged.db);
      const b0 = logged.outputBytes();
      const h = await createRound(logged.baseUrl, tokens, N, { amount: 500 });
      await waitUntilQuiet(logged.db);
      await new Promise((r) => setTimeout(r, 500));
      note(after, 'log bytes per payment at INFO (functions only)', (logged.outputBytes() - b0) / h.requests);
    } catch (error) {
      progress(`log measurement failed: ${String(error)}`);
    } finally {
      await logged.stop();
    }
  } finally {
    await stopAll();
  }
  const keys = [...new Set([...Object.keys(out.before!), ...Object.keys(out.after!)])];
  const cell = (values?: number[]) => {
    if (!values?.length || values.every((x) => Number.isNaN(x))) return 'n/a';
    const s = spread(values);
    return `${round(s.median)} (${round(s.min)}-${round(s.max)})`;
  };
  const lines = [
    `A/B, ${ROUNDS} interleaved rounds of ${ROUND_S} s, median (min-max); ${new Date(started).toISOString()}, ` +
      `${m.nproc} CPUs (${m.cpuModel}), 1-min load average at start ${m.loadAverageAtStart}; ` +
      `${((Date.now() - started) / 1000).toFixed(0)} s`,
    '',
    '| figure | before | after |',
    '|---|---|---|',
    ...keys.map((k) => `| ${k} | ${cell(out.before![k])} | ${cell(out.after![k])} |`),
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}
