import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signDevToken } from '../../lambdas/shared/auth/dev-token';
import { freePort } from '../../local/embedded-postgres';
import { exited, ownRuntimeEnv, spawnLocalRuntime } from '../../local/runtime-process';

// `npm start` as a child process, for the end-to-end tests: a free port and its own data directory.

export interface LocalRuntimeProcess {
  baseUrl: string;
  dataDir: string;
  /** Milliseconds from spawn to the ready line. */
  readyAfterMs: number;
  jwtSecret(): Promise<string>;
  /** A dev token the runtime accepts, for `userId` (default: a new user). */
  token(userId?: string): Promise<string>;
  /** `GET /local/status`, parsed. */
  status(): Promise<RuntimeStatus>;
  /** SIGKILL: nothing runs after it, as after a crash. */
  crash(): Promise<void>;
  /** SIGINT (Ctrl-C); resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGINT to the runtime's whole process group, as a terminal's Ctrl-C (needs `detached`). */
  interruptGroup(): Promise<number | null>;
}

/** The parts of `GET /local/status` the tests read. */
export interface RuntimeStatus {
  code: { from: 'sources' | 'bundles'; stack?: string };
  queues: Record<
    string,
    {
      visible: number;
      inFlight: number;
      delayed: number;
      consumer: string;
      delivered: number;
      inFlightBatches: number;
    }
  >;
  deadLetterQueues: Record<string, { visible: number }>;
  schedules: Record<string, number>;
}

export function makeDataDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'payments-e2e-'));
}

interface StartOptions {
  dataDir?: string;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** The script to run instead of bin/local.ts. */
  entry?: string;
  /** Leads its own process group (for interruptGroup). */
  detached?: boolean;
}

export async function startLocalRuntime(options: StartOptions = {}) {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const port = await freePort();
  const started = Date.now();
  const env = ownRuntimeEnv(port, dataDir, options.env);
  const spawned = spawnLocalRuntime({
    env,
    entry: options.entry,
    detached: options.detached,
    timeoutMs: options.timeoutMs ?? 60_000,
  });
  // A runtime that does not start leaves nothing behind (a data directory it made, its database).
  if (!options.dataDir) spawned.catch(() => removeDataDir(dataDir));
  const { child, baseUrl } = await spawned;
  const runtime: LocalRuntimeProcess = {
    baseUrl,
    dataDir,
    readyAfterMs: Date.now() - started,
    jwtSecret: async () => (await readFile(join(dataDir, 'jwt-secret'), 'utf8')).trim(),
    status: async () => (await (await fetch(`${baseUrl}/local/status`)).json()) as RuntimeStatus,
    token: async (userId = randomUUID()) =>
      signDevToken({
        userId,
        secret: await runtime.jwtSecret(),
        issuer: 'payments-local',
        audience: 'payments-api',
      }),
    crash: async () => {
      child.kill('SIGKILL');
      await exited(child);
    },
    stop: async () => {
      child.kill('SIGINT');
      return exited(child);
    },
    interruptGroup: async () => {
      process.kill(-child.pid!, 'SIGINT');
      return exited(child);
    },
  };
  return runtime;
}

/** Removes a data directory, first stopping a PostgreSQL a crashed runtime left running in it. */
export async function removeDataDir(dataDir: string): Promise<void> {
  try {
    const pid = Number((await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGINT');
    for (let i = 0; i < 50; i++) {
      process.kill(pid, 0);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch {
    // no pid file or no such process: nothing left running
  }
  await rm(dataDir, { recursive: true, force: true });
}

/** Starts a runtime before the file's tests and stops it (expecting a clean exit) after them. */
export function localRuntimeForFile(
  options: StartOptions | (() => StartOptions) = {},
): () => LocalRuntimeProcess {
  let runtime: LocalRuntimeProcess | undefined;
  beforeAll(async () => {
    runtime = await startLocalRuntime(typeof options === 'function' ? options() : options);
  }, 90_000);
  afterAll(async () => {
    if (!runtime) return;
    expect(await runtime.stop()).toBe(0);
    await removeDataDir(runtime.dataDir);
  }, 30_000);
  return () => {
    if (!runtime) throw new Error('The local runtime did not start');
    return runtime;
  };
}
