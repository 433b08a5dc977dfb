import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type FunctionName, topology } from '../lib/topology';
import { parseCli } from '../scripts/cli';
import { burstRound, eventLag } from './async-path';
import { measureBundles } from './bundles';
import { ceilingRound, openCeilingDatabase } from './ceiling';
import type { CreateResult } from './chart';
import { eventsRound } from './events';
import { createRound, PAYMENT_BODY, repeatRound } from './http-load';
import { machine } from './machine';
import { publishRound } from './publish-cost';
import { type Results, writeReports } from './report';
import { type BenchRuntime, ROOT, startBenchRuntime, usageBetween, waitUntilQuiet } from './runtime';
import { progress } from './stats';

// `npm run bench`: the six measurements of issue 7 (see docs/BENCHMARKS.md). Progress on stderr, the table
// on stdout, bench/results.json, docs/benchmarks.svg and the table in docs/BENCHMARKS.md.

parseCli({
  command: 'npm run bench --',
  usage: `Usage: npm run bench

The platform's measurements (docs/BENCHMARKS.md): progress on stderr, the table on stdout, and
bench/results.json, docs/benchmarks.svg and the table in docs/BENCHMARKS.md rewritten. Run it alone on
the machine (flock /tmp/heavy.lock npm run bench). Settings are environment variables:
  BENCH_ONLY                 measurements to run (default bundles,create,publish,repeat,async,burst)
  BENCH_ROUNDS, BENCH_ROUND_SECONDS, BENCH_WARMUP_SECONDS, BENCH_CONNECTIONS (default 1,16,64)
  BENCH_BURST, BENCH_BURST_ROUNDS, BENCH_INIT_SAMPLES, BENCH_RUNTIME_NODE_ARGS
  BENCH_REPORT_ONLY=1        re-render the reports from bench/results.json without measuring
  -h, --help                 this text`,
  options: {},
});

const env = process.env;
const ROUNDS = Number(env.BENCH_ROUNDS ?? 3);
const ROUND_S = Number(env.BENCH_ROUND_SECONDS ?? 3);
const WARMUP_S = Number(env.BENCH_WARMUP_SECONDS ?? 2);
const BURST = Number(env.BENCH_BURST ?? 5000);
const BURST_ROUNDS = Number(env.BENCH_BURST_ROUNDS ?? 3);
const INIT_SAMPLES = Number(env.BENCH_INIT_SAMPLES ?? 10);
const CONNECTIONS = (env.BENCH_CONNECTIONS ?? '1,16,64').split(',').map(Number);
const reportPaths = {
  json: join(ROOT, 'bench', 'results.json'),
  svg: join(ROOT, 'docs', 'benchmarks.svg'),
  markdown: join(ROOT, 'docs', 'BENCHMARKS.md'),
};
const ONLY = new Set((env.BENCH_ONLY ?? 'bundles,create,publish,repeat,async,burst,events').split(','));
/** e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` to profile the runtime while it is measured. */
const RUNTIME_NODE_ARGS = (env.BENCH_RUNTIME_NODE_ARGS ?? '').split(' ').filter(Boolean);

if (env.BENCH_AB) {
  // A/B against another checkout (bench/ab.ts): its own table on stdout, no report files touched.
  // BENCH_ONLY=burst: measurement (5) in interleaved pairs (bench/ab-async.ts); else bench/ab.ts's set.
  if (env.BENCH_ONLY === 'burst') await (await import('./ab-async')).runBurstAb(env.BENCH_AB);
  else await (await import('./ab')).runAb();
  process.exit(0);
}

if (env.BENCH_ANALYTICS) {
  // The analytics run with 100,000 payments (bench/analytics.ts): its own table on stdout, no report files.
  const { runAnalyticsBench } = await import('./analytics');
  await runAnalyticsBench();
  process.exit(0);
}

if (env.BENCH_REPORT_ONLY) {
  // Re-renders the table, the chart and BENCHMARKS.md from bench/results.json without measuring.
  const saved = JSON.parse(await readFile(join(ROOT, 'bench', 'results.json'), 'utf8')) as Results;
  process.stdout.write(`${await writeReports(saved, reportPaths)}\n`);
  process.exit(0);
}

const startedAt = Date.now();
const results: Results = {
  startedAt: new Date(startedAt).toISOString(),
  machine: await machine(ROOT),
  settings: {
    rounds: ROUNDS,
    roundSeconds: ROUND_S,
    warmupSeconds: WARMUP_S,
    burst: BURST,
    burstRounds: BURST_ROUNDS,
    initSamples: INIT_SAMPLES,
  },
  create: [],
};

if (ONLY.has('bundles')) {
  progress(`(6) bundling every function as cdk synth does, ${INIT_SAMPLES} fresh-process imports each`);
  // The one alternative worth knowing: the runtime's SDK instead of our bundled copy (BENCHMARKS.md).
  const sdkExternal = (Object.keys(topology.functions) as FunctionName[]).map((name) => ({
    label: 'SDK from the runtime',
    function: name,
    bundling: { externalModules: ['@aws-sdk/*'] },
  }));
  results.bundles = (await measureBundles(INIT_SAMPLES, progress, sdkExternal)).results;
}

/**
 * (1)+(2)+(4) at each of `connections`, rounds of the ceiling and of HTTP interleaved. With `consumers` off
 * the queues are not drained (nothing reads them), so "quiet" means the outbox is published.
 */
async function createPhase(
  runtime: BenchRuntime,
  connections: readonly number[],
  consumers: boolean,
  label: string,
): Promise<CreateResult[]> {
  const out: CreateResult[] = [];
  const quiet = () => waitUntilQuiet(runtime.db, { queues: consumers });
  const ceilingUrl = await openCeilingDatabase(runtime.serverUrl);
  for (const n of connections) {
    const tokens = await runtime.tokens(n);
    progress(`(1)+(2) ${label}, ${n} connection(s): warm-up ${WARMUP_S} s each`);
    await ceilingRound(ceilingUrl, n, WARMUP_S * 1000);
    await createRound(runtime.baseUrl, tokens, n, { durationS: WARMUP_S });
    await quiet();
    const ceiling = [];
    const http = [];
    const lag = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const u0 = await runtime.usage();
      const self0 = process.cpuUsage();
      const c = await ceilingRound(ceilingUrl, n, ROUND_S * 1000);
      const self1 = process.cpuUsage(self0);
      const u1 = await runtime.usage();
      const perTx = usageBetween(u0, u1, c.requests);
      ceiling.push({
        ...c,
        perRequest: {
          postgresCpuMs: perTx.postgresCpuMs,
          driverCpuMs: (self1.user + self1.system) / 1000 / c.requests,
        },
      });
      const from = new Date();
      const h = await createRound(runtime.baseUrl, tokens, n, { durationS: ROUND_S });
      const to = new Date();
      await quiet();
      // Until quiet: per payment, everything it caused in this runtime (with consumers: API, both
      // workers, bus, queues, relay; without: the API, its publish and the bus).
      const perPayment = usageBetween(u1, await runtime.usage(), h.requests);
      http.push({ ...h, perRequest: { ...perPayment } });
      const l = await eventLag(runtime.db, from, to);
      lag.push(l);
      progress(
        `  round ${round}: ceiling ${c.requestsPerSecond.toFixed(0)}/s p99 ${c.p99Ms.toFixed(1)} ms; ` +
          `http ${h.requestsPerSecond.toFixed(0)}/s p50 ${h.p50Ms} p99 ${h.p99Ms} ms (${h.non2xx + h.errors} failed); ` +
          `lag p50 ${l.p50Ms.toFixed(1)} p99 ${l.p99Ms.toFixed(1)} ms; ` +
          `per payment ${perPayment.runtimeCpuMs.toFixed(1)} ms runtime CPU, ${perPayment.postgresCpuMs.toFixed(1)} ms PostgreSQL CPU, ` +
          `${perPayment.commits.toFixed(1)} commits (ceiling: ${perTx.postgresCpuMs.toFixed(2)} ms PostgreSQL CPU per transaction)`,
      );
    }
    out.push({ connections: n, ceiling, http, lag });
  }
  return out;
}

async function repeatPhase(runtime: BenchRuntime): Promise<void> {
  const [token] = await runtime.tokens(1);
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const key = 'bench-replay';
  const first = await fetch(`${runtime.baseUrl}/payments`, {
    method: 'POST',
    headers: { ...auth, 'idempotency-key': key },
    body: PAYMENT_BODY,
  });
  const payment = (await first.json()) as { id: string };
  await waitUntilQuiet(runtime.db, { queues: false });
  const replay = {
    method: 'POST' as const,
    path: '/payments',
    headers: { ...auth, 'idempotency-key': key },
    body: PAYMENT_BODY,
  };
  const get = {
    method: 'GET' as const,
    path: `/payments/${payment.id}`,
    headers: { authorization: auth.authorization },
  };
  for (const [name, request] of [
    ['replay', replay],
    ['get', get],
  ] as const) {
    progress(`(3) ${name}: 16 connections, warm-up ${WARMUP_S} s`);
    await repeatRound(runtime.baseUrl, 16, WARMUP_S, request);
    const rounds = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const r = await repeatRound(runtime.baseUrl, 16, ROUND_S, request);
      rounds.push(r);
      progress(
        `  round ${round}: ${r.requestsPerSecond.toFixed(0)}/s p99 ${r.p99Ms} ms (${r.non2xx + r.errors} failed)`,
      );
    }
    results[name] = rounds;
  }
}

/** The after-commit publish alone, 16 callers, as the API's 16 connections would make it. */
async function publishPhase(runtime: BenchRuntime): Promise<void> {
  progress(`(2) the after-commit publish alone: PutEvents from the SDK, 16 callers, warm-up ${WARMUP_S} s`);
  await publishRound(runtime, 16, WARMUP_S);
  results.publish = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const p = await publishRound(runtime, 16, ROUND_S);
    results.publish.push(p);
    progress(
      `  round ${round}: ${p.callsPerSecond.toFixed(0)} calls/s; CPU per call ${p.clientCpuMs.toFixed(2)} ms SDK client, ` +
        `${p.runtimeCpuMs.toFixed(2)} ms runtime (bus endpoint + enqueue); ${p.failed} failed`,
    );
  }
}

async function burstPhase(runtime: BenchRuntime): Promise<void> {
  const warm = Math.min(500, BURST);
  progress(`(5) warm-up burst of ${warm}`);
  await burstRound(runtime.db, runtime.baseUrl, await runtime.tokens(16), warm, 16);
  await waitUntilQuiet(runtime.db);
  results.burst = [];
  for (let round = 1; round <= BURST_ROUNDS; round++) {
    progress(`(5) burst ${round}/${BURST_ROUNDS}: ${BURST} payments over 16 connections`);
    const b = await burstRound(runtime.db, runtime.baseUrl, await runtime.tokens(16), BURST, 16);
    results.burst.push(b);
    progress(
      `  created at ${b.createRate.toFixed(0)}/s, all terminal with notifications after ${b.drainSeconds.toFixed(1)} s ` +
        `(${b.paymentsPerSecond.toFixed(0)}/s); create->terminal p50 ${b.createToTerminalP50Ms.toFixed(0)} p99 ${b.createToTerminalP99Ms.toFixed(0)} ms`,
    );
    await waitUntilQuiet(runtime.db);
  }
}

/** (7) POST /events at 16 connections with the worker running; accept -> processed per round. */
async function eventsPhase(runtime: BenchRuntime): Promise<void> {
  const tokens = await runtime.tokens(16);
  progress(`(7) POST /events: 16 connections, warm-up ${WARMUP_S} s`);
  await eventsRound(runtime.db, runtime.baseUrl, tokens, 16, WARMUP_S);
  await waitUntilQuiet(runtime.db);
  results.events = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const e = await eventsRound(runtime.db, runtime.baseUrl, tokens, 16, ROUND_S);
    results.events.push(e);
    progress(
      `  round ${round}: ${e.http.requestsPerSecond.toFixed(0)}/s p50 ${e.http.p50Ms} p99 ${e.http.p99Ms} ms ` +
        `(${e.http.non2xx + e.http.errors} failed); accepted -> processed p50 ${e.lagP50Ms.toFixed(1)} ` +
        `p99 ${e.lagP99Ms.toFixed(1)} ms over ${e.processed} events`,
    );
    await waitUntilQuiet(runtime.db);
  }
}

/** Starts a runtime, runs `work`, stops it whatever happens. */
async function withRuntime(consumers: boolean, work: (runtime: BenchRuntime) => Promise<void>) {
  progress(
    `starting the local runtime (embedded PostgreSQL, fresh data directory${consumers ? '' : ', LOCAL_CONSUMERS=off'})`,
  );
  const runtime = await startBenchRuntime({
    nodeArgs: RUNTIME_NODE_ARGS,
    env: consumers ? {} : { LOCAL_CONSUMERS: 'off' },
  });
  try {
    await work(runtime);
  } finally {
    progress('stopping the runtime');
    await runtime.stop();
  }
}

// (2)-(4) as the target means them: the API alone, as in AWS, where the workers do not share its CPU.
// The runtime runs without queue consumers: the API still publishes after commit, events stay queued.
if (ONLY.has('create') || ONLY.has('publish') || ONLY.has('repeat')) {
  await withRuntime(false, async (runtime) => {
    if (ONLY.has('create')) results.create = await createPhase(runtime, CONNECTIONS, false, 'API alone');
    if (ONLY.has('repeat')) await repeatPhase(runtime);
    // Last: its ~10,000 queued messages would leave the database busy (autovacuum) for what follows.
    if (ONLY.has('publish')) await publishPhase(runtime);
  });
}

// The same at 16 connections with the whole async path running in the same process (the old figures),
// and (5), which is the async path.
if (ONLY.has('async') || ONLY.has('burst')) {
  await withRuntime(true, async (runtime) => {
    if (ONLY.has('async'))
      results.createWithConsumers = await createPhase(runtime, [16], true, 'whole async path running');
    if (ONLY.has('burst')) await burstPhase(runtime);
  });
}

// (7) in a runtime of its own, consumers on: the worker processes what the API accepted.
if (ONLY.has('events')) await withRuntime(true, eventsPhase);

results.wallSeconds = (Date.now() - startedAt) / 1000;
const table = await writeReports(results, reportPaths);
process.stdout.write(`${table}\n`);
progress(`done in ${results.wallSeconds.toFixed(0)} s`);
