import { openDatabase } from '../../lambdas/shared/adapters/postgres/database';
import { signDevToken } from '../../lambdas/shared/auth/dev-token';
import { loadConfig, tokenConfigSchema } from '../../lambdas/shared/config';
import { type FaultRates, seededRandom } from '../faults/config';
import { type FaultCounts, zeroFaultCounts } from '../faults/index';
import {
  checkEventInvariants,
  checkInvariants,
  type DrainState,
  type InvariantResult,
  isDrained,
  readDrainState,
} from './database-checks';
import { type EventClientRates, EventLoadGenerator } from './events-load';
import { type ClientFaultRates, type LoadClient, LoadGenerator, type LoadStats } from './load';
import { startRestartableRuntime } from './restartable-runtime';

// `npm run chaos`: the runtime under faults (issue 6). Its own PostgreSQL, the runtime as a child
// process with LOCAL_FAULTS, N payments from concurrent clients, one kill -9 mid-run, the drain, then
// every invariant checked in SQL.

export type RuntimeFaultRates = Omit<FaultRates, 'seed'>;

export interface ChaosOptions {
  payments: number;
  concurrency: number;
  seed: number;
  client: ClientFaultRates;
  runtime: RuntimeFaultRates;
  gateway: { transientFailureRate: number; timeoutRate: number };
  /** Notification events requested alongside the payments (POST /events), by `eventConcurrency` clients. */
  events: number;
  eventConcurrency: number;
  eventClient: EventClientRates;
  /** kill -9 the runtime once this share of the payments was sent (none when undefined). */
  killAfter?: number;
  drainTimeoutMs: number;
  /** Progress lines (stderr in the CLI). */
  progress?: (line: string) => void;
  progressEveryMs?: number;
}

/** Every fault on; rates low enough that the default run drains in a couple of minutes. */
export const DEFAULT_CHAOS_OPTIONS: Omit<ChaosOptions, 'seed'> = {
  payments: 5000,
  concurrency: 32,
  client: { retrySequential: 0.1, retryConcurrent: 0.05, changedBody: 0.05, declines: 0.1 },
  runtime: {
    duplicateDelivery: 0.05,
    concurrentDelivery: 0.03,
    crashBeforeCharge: 0.03,
    crashAfterCharge: 0.03,
    crashAfterCommit: 0.03,
    putEventsFailure: 0.05,
    notificationRequestRefused: 0.4,
    crashMidAssessment: 0.03,
    crashAfterAssessment: 0.03,
  },
  gateway: { transientFailureRate: 0.05, timeoutRate: 0.05 },
  events: 2000,
  eventConcurrency: 8,
  eventClient: { retrySequential: 0.1, retryConcurrent: 0.05, addressed: 0.3 },
  killAfter: 0.5,
  drainTimeoutMs: 10 * 60_000,
};

export interface ChaosReport {
  ok: boolean;
  seed: number;
  payments: number;
  concurrency: number;
  seconds: { total: number; load: number; drain: number };
  rates: { client: ClientFaultRates; runtime: RuntimeFaultRates; gateway: ChaosOptions['gateway'] };
  http: { requests: number; byStatus: Record<string, number>; unanswered: number };
  /** The notification events load: what POST /events answered. */
  events: {
    requested: number;
    accepted: number;
    requests: number;
    byStatus: Record<string, number>;
    unanswered: number;
    sequentialRetries: number;
    concurrentRetries: number;
  };
  faults: { client: LoadStats['faults']; runtime: FaultCounts; kills: number; declinesRequested: number };
  outcome: DrainState & { drained: boolean };
  invariants: InvariantResult[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const seconds = (ms: number) => Math.round(ms / 100) / 10;

function addCounts(a: FaultCounts, b: Partial<FaultCounts> | undefined): FaultCounts {
  const sum = { ...a };
  for (const [k, v] of Object.entries(b ?? {})) sum[k as keyof FaultCounts] += Number(v) || 0;
  return sum;
}

/** Runtime faults injected, without the per-queue breakdowns (`...ToRisk`), which are counted in their totals. */
const runtimeTotal = (counts: FaultCounts) =>
  Object.entries(counts)
    .filter(([name]) => !name.endsWith('ToRisk'))
    .reduce((a, [, n]) => a + n, 0);

export const totalFaults = (r: Pick<ChaosReport, 'faults'>) =>
  runtimeTotal(r.faults.runtime) + Object.values(r.faults.client).reduce((a, b) => a + b, 0) + r.faults.kills;

async function makeClients(count: number, secret: string): Promise<LoadClient[]> {
  const config = loadConfig(tokenConfigSchema, { JWT_SECRET: 'x'.repeat(32) });
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const userId = `chaos-user-${String(i).padStart(3, '0')}`;
      const token = await signDevToken({
        userId,
        secret,
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        expiresInSeconds: 12 * 3600,
      });
      return { userId, token };
    }),
  );
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = Date.now();
  const progress = options.progress ?? (() => {});
  const runtime = await startRestartableRuntime({
    env: {
      LOCAL_FAULTS: JSON.stringify({ ...options.runtime, seed: options.seed }),
      GATEWAY_TRANSIENT_FAILURE_RATE: String(options.gateway.transientFailureRate),
      GATEWAY_TIMEOUT_RATE: String(options.gateway.timeoutRate),
      // The load is ours and all from one IP: the rate limits off, so faults, not 429s, are what it meets.
      RATE_LIMIT_PER_TOKEN_PER_MINUTE: '0',
      RATE_LIMIT_PER_IP_PER_MINUTE: '0',
    },
  });
  const db = openDatabase(runtime.databaseUrl, { max: 2 });
  try {
    const clients = await makeClients(options.concurrency, runtime.jwtSecret);
    const events = new EventLoadGenerator({
      baseUrl: runtime.baseUrl,
      clients,
      events: options.events,
      concurrency: options.eventConcurrency,
      rates: options.eventClient,
      random: seededRandom(options.seed + 1),
    });
    const load = new LoadGenerator({
      baseUrl: runtime.baseUrl,
      clients,
      payments: options.payments,
      concurrency: options.concurrency,
      rates: options.client,
      random: seededRandom(options.seed),
    });

    // Runtime fault counters live in the runtime's memory: add up each life's last reading.
    let earlierLives = zeroFaultCounts();
    let thisLife = zeroFaultCounts();
    const readRuntimeFaults = async () => {
      try {
        const res = await fetch(`${runtime.baseUrl}/local/status`, { signal: AbortSignal.timeout(5_000) });
        const status = (await res.json()) as { faults?: FaultCounts };
        thisLife = addCounts(zeroFaultCounts(), status.faults);
      } catch {
        // the runtime is restarting: keep the last reading
      }
    };
    const runtimeFaults = () => addCounts(earlierLives, thisLife);
    let kills = 0;
    let state: DrainState | undefined;
    let phase = 'load';
    const report = async () => {
      await readRuntimeFaults();
      state = await readDrainState(db).catch(() => state);
      const s = load.stats;
      const injected =
        runtimeTotal(runtimeFaults()) + Object.values(s.faults).reduce((a, b) => a + b, 0) + kills;
      const done = state ? state.succeeded + state.failed + state.pendingInDlq : 0;
      progress(
        `[chaos] ${seconds(Date.now() - started)}s ${phase}: sent ${s.sent}/${options.payments}, ` +
          `answered ${s.answered}, drained ${done}/${state?.payments ?? 0} ` +
          `(dlq ${state?.deadLetters.payments ?? 0}+${state?.deadLetters.notifications ?? 0}` +
          `+${state?.deadLetters.notificationRequests ?? 0}+${state?.deadLetters.risk ?? 0}), ` +
          `events ${events.stats.answered}/${options.events} (503 ${events.stats.refused}), ` +
          `faults injected ${injected}, kills ${kills}, 5xx ${s.serverErrors}`,
      );
    };
    const ticker = setInterval(() => void report(), options.progressEveryMs ?? 2_000);

    try {
      const killer = (async () => {
        if (options.killAfter === undefined) return;
        const threshold = Math.max(1, Math.floor(options.payments * options.killAfter));
        while (load.stats.sent < threshold && load.stats.answered < options.payments) await sleep(20);
        await readRuntimeFaults();
        earlierLives = runtimeFaults();
        thisLife = zeroFaultCounts();
        kills += 1;
        progress(`[chaos] kill -9 of the runtime after ${load.stats.sent} payments sent; restarting`);
        await runtime.restart();
        progress(`[chaos] runtime restarted on the same database`);
      })();
      const loadStarted = Date.now();
      await Promise.all([load.run(), events.run(), killer]);
      const loadMs = Date.now() - loadStarted;

      phase = 'drain';
      const drainStarted = Date.now();
      let drained = false;
      let calm = 0;
      while (Date.now() - drainStarted < options.drainTimeoutMs) {
        state = await readDrainState(db);
        calm = isDrained(state) ? calm + 1 : 0;
        if (calm >= 2) {
          drained = true;
          break;
        }
        await sleep(1_000);
      }
      const drainMs = Date.now() - drainStarted;
      await readRuntimeFaults();
      clearInterval(ticker);
      await report();

      const invariants = await checkInvariants(db, {
        accepted: load.stats.accepted,
        serverErrors: load.stats.serverErrors,
        firstServerError: load.firstServerError,
        requests: load.stats.requests,
        anomalies: load.stats.anomalies,
      });
      invariants.push(...(await checkEventInvariants(db, events.stats)));
      if (!drained) {
        invariants.unshift({
          name: 'the run drained',
          ok: false,
          count: state?.queuedMessages ?? 0,
          detail: `not drained within ${seconds(options.drainTimeoutMs)} s: ${JSON.stringify(state)}`,
        });
      }
      const final = await readDrainState(db);
      return {
        ok: drained && invariants.every((i) => i.ok),
        seed: options.seed,
        payments: options.payments,
        concurrency: options.concurrency,
        seconds: { total: seconds(Date.now() - started), load: seconds(loadMs), drain: seconds(drainMs) },
        rates: { client: options.client, runtime: options.runtime, gateway: options.gateway },
        http: {
          requests: load.stats.requests,
          byStatus: load.stats.byStatus,
          unanswered: load.stats.unanswered,
        },
        events: {
          requested: options.events,
          accepted: events.stats.accepted.size,
          requests: events.stats.requests,
          byStatus: events.stats.byStatus,
          unanswered: events.stats.unanswered,
          sequentialRetries: events.stats.faults.sequentialRetries,
          concurrentRetries: events.stats.faults.concurrentRetries,
        },
        faults: {
          client: load.stats.faults,
          runtime: runtimeFaults(),
          kills,
          declinesRequested: load.stats.declinesRequested,
        },
        outcome: { ...final, drained },
        invariants,
      };
    } finally {
      clearInterval(ticker);
    }
  } finally {
    await db.end({ timeout: 2 });
    await runtime.close();
  }
}
