import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Database, openDatabase } from '../lambdas/shared/adapters/postgres/database';
import { signDevToken } from '../lambdas/shared/auth/dev-token';
import { loadConfig, tokenConfigSchema } from '../lambdas/shared/config';
import { freePort } from '../local/embedded-postgres';
import { exited, ownRuntimeEnv, spawnLocalRuntime } from '../local/runtime-process';
import { progress } from './stats';

// The runtime under test: `npm start` (bin/local.ts) as a child process on a free port with a fresh
// data directory, plus a direct connection to its embedded PostgreSQL for the bench's own reads.

export const ROOT = resolve(import.meta.dirname, '..');

export interface BenchRuntime {
  baseUrl: string;
  dataDir: string;
  /** The embedded server's `payments` database (the runtime's own). */
  databaseUrl: string;
  /** The same server, another database. */
  serverUrl(database: string): string;
  db: Database;
  /** Counters to divide by the work done between two readings (see `usageBetween`). */
  usage(): Promise<Usage>;
  tokens(count: number): Promise<string[]>;
  /** Bytes the runtime wrote to stdout and stderr so far (the functions' logs, at its LOG_LEVEL). */
  outputBytes(): number;
  stop(): Promise<void>;
}

async function postmasterOf(dataDir: string): Promise<{ pid: number; port: number; socketDir: string }> {
  // postmaster.pid: line 1 the server's pid, line 4 its port, line 5 its Unix-socket directory.
  const lines = (await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n');
  const [pid, port, socketDir] = [Number(lines[0]), Number(lines[3]), lines[4] ?? ''];
  if (!(pid > 0) || !(port > 0)) throw new Error('No pid or port in postmaster.pid');
  return { pid, port, socketDir };
}

export interface Usage {
  /** CPU time (user + system) of the runtime process, ms. */
  runtimeCpuMs: number;
  /** CPU time of every PostgreSQL process on the box (the embedded server's), ms. */
  postgresCpuMs: number;
  /** Transactions committed in the runtime's database (every statement outside a transaction counts). */
  commits: number;
}

/** Per unit of work (e.g. per payment) between two readings. */
export function usageBetween(before: Usage, after: Usage, units: number): Usage {
  return {
    runtimeCpuMs: (after.runtimeCpuMs - before.runtimeCpuMs) / units,
    postgresCpuMs: (after.postgresCpuMs - before.postgresCpuMs) / units,
    commits: (after.commits - before.commits) / units,
  };
}

/** utime + stime (fields 14 and 15 of /proc/<pid>/stat, in 1/100 s), in ms; Linux only. */
async function cpuMsOf(pid: number | string): Promise<number> {
  const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** The embedded server: its postmaster and the processes it forked (backends, WAL writer, ...). */
async function postgresCpuMs(postmaster: number): Promise<number> {
  let total = 0;
  for (const pid of await readdir('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const fields = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
      // The postmaster's cutime + cstime hold the CPU of backends that already exited (e.g. a closed pool).
      if (Number(pid) === postmaster) total += fields.slice(11, 15).reduce((a, f) => a + Number(f), 0) * 10;
      else if (Number(fields[1]) === postmaster) total += (Number(fields[11]) + Number(fields[12])) * 10;
    } catch {
      // the process ended meanwhile
    }
  }
  return total;
}

/**
 * `nodeArgs` go before the entry point, e.g. `--cpu-prof` to profile the runtime; `entry` or `cwd` runs
 * another checkout's runtime for an A/B (`cwd`: from that checkout's directory, with its migrations).
 */
export async function startBenchRuntime(
  options: {
    nodeArgs?: string[];
    env?: NodeJS.ProcessEnv;
    /** Another checkout's bin/local.ts (absolute), for an A/B run against it. */
    entry?: string;
    /** Another checkout's root, to run its bin/local.ts from there. */
    cwd?: string;
  } = {},
) {
  const dataDir = await mkdtemp(join(tmpdir(), 'payments-bench-'));
  const port = await freePort();
  // The load comes from one IP and few tokens: the rate limits off, so the numbers measure the API, not 429s.
  const env = ownRuntimeEnv(port, dataDir, {
    RATE_LIMIT_PER_TOKEN_PER_MINUTE: '0',
    RATE_LIMIT_PER_IP_PER_MINUTE: '0',
    ...options.env,
  });
  let outputBytes = 0;
  const { child, baseUrl } = await spawnLocalRuntime({
    env,
    nodeArgs: options.nodeArgs,
    entry: options.entry,
    cwd: options.cwd,
    timeoutMs: 120_000,
    onOutput: (chunk, stream) => {
      outputBytes += chunk.length;
      // The runtime logs only errors at LOG_LEVEL=ERROR: worth seeing while the bench runs.
      if (stream !== 'stderr') return;
      for (const line of chunk.toString().split('\n').filter(Boolean))
        progress(`runtime: ${line.slice(0, 300)}`);
    },
  });
  const { port: pgPort, pid: postmaster, socketDir } = await postmasterOf(dataDir);
  // The way the runtime connects (its socket when there is one), so (1) and (2) pay the same per round trip.
  const socket = socketDir ? `?host=${encodeURIComponent(socketDir)}` : '';
  const serverUrl = (database: string) =>
    `postgres://postgres:postgres@127.0.0.1:${pgPort}/${database}${socket}`;
  const databaseUrl = serverUrl('payments');
  const db = openDatabase(databaseUrl, { max: 4 });
  const secret = (await readFile(join(dataDir, 'jwt-secret'), 'utf8')).trim();
  const config = loadConfig(tokenConfigSchema, { JWT_SECRET: secret });
  const runtime: BenchRuntime = {
    baseUrl,
    dataDir,
    databaseUrl,
    serverUrl,
    db,
    usage: async () => {
      const [row] = await db<{ commits: number }[]>`
        SELECT xact_commit::float8 AS commits FROM pg_stat_database WHERE datname = 'payments'`;
      // /proc is Linux only: elsewhere the CPU figures are NaN ("n/a" in the table), the rest still runs.
      return {
        runtimeCpuMs: await cpuMsOf(child.pid!).catch(() => Number.NaN),
        postgresCpuMs: await postgresCpuMs(postmaster).catch(() => Number.NaN),
        commits: row?.commits ?? 0,
      };
    },
    outputBytes: () => outputBytes,
    tokens: (count) =>
      Promise.all(
        Array.from({ length: count }, () =>
          signDevToken({
            userId: randomUUID(),
            secret,
            issuer: config.JWT_ISSUER,
            audience: config.JWT_AUDIENCE,
            expiresInSeconds: 3600,
          }),
        ),
      ),
    stop: async () => {
      await db.end({ timeout: 2 });
      child.kill('SIGINT');
      await exited(child);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
  return runtime;
}

/**
 * Waits until every queue and the outbox are empty, so one round's backlog never loads the next.
 * `queues: false` (a runtime without consumers, whose queues only grow): the outbox alone.
 */
export async function waitUntilQuiet(
  db: Database,
  options: { queues?: boolean; timeoutMs?: number } = {},
): Promise<number> {
  const { queues = true, timeoutMs = 120_000 } = options;
  const started = Date.now();
  for (;;) {
    const [row] = await db<{ queued: number; unpublished: number }[]>`
      SELECT (SELECT count(*)::int FROM local_queue_messages WHERE ${queues} AND queue NOT LIKE '%-dlq') AS queued,
             (SELECT count(*)::int FROM outbox WHERE published_at IS NULL) AS unpublished`;
    if (row && row.queued === 0 && row.unpublished === 0) return Date.now() - started;
    if (Date.now() - started > timeoutMs) throw new Error(`BenchRuntime still busy after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
