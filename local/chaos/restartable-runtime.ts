import type { ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreateDevSecret } from '../dev-secret';
import { freePort, type RunningPostgres, startEmbeddedPostgres } from '../embedded-postgres';
import { ensureDatabase, LOCAL_DATABASE_NAME } from '../runtime-database';
import { exited, spawnLocalRuntime } from '../runtime-process';

// A PostgreSQL of our own plus `bin/local.ts` as a child process on it: the runtime can be killed
// with SIGKILL and started again while the database (and what it holds) lives on.

export interface RestartableRuntimeOptions {
  /** Extra environment for the runtime (LOCAL_FAULTS, GATEWAY_* rates). */
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export interface RestartableRuntime {
  baseUrl: string;
  databaseUrl: string;
  jwtSecret: string;
  /** How many times the runtime was started (1 + restarts). */
  starts: number;
  /** SIGKILL the runtime: nothing of it runs after this, as after a crash. */
  kill(): Promise<void>;
  /** Starts the runtime again on the same database and port. */
  restart(): Promise<void>;
  /** Stops the runtime (SIGINT, drain) and the database, and removes the data directory. */
  close(): Promise<void>;
}

async function spawnRuntime(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<ChildProcess> {
  const logFile = process.env.CHAOS_RUNTIME_LOG; // for debugging: the runtime's whole output
  const { child } = await spawnLocalRuntime({
    env,
    timeoutMs,
    onOutput: logFile ? (chunk) => appendFileSync(logFile, chunk) : undefined,
  });
  return child;
}

export async function startRestartableRuntime(
  options: RestartableRuntimeOptions = {},
): Promise<RestartableRuntime> {
  const dataDir = await mkdtemp(join(tmpdir(), 'payments-chaos-'));
  let pg: RunningPostgres | undefined;
  let child: ChildProcess | undefined;
  try {
    pg = await startEmbeddedPostgres({ dataDir: join(dataDir, 'postgres') });
    const databaseUrl = await ensureDatabase(pg.url, LOCAL_DATABASE_NAME);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...options.env,
      DATABASE_URL: databaseUrl,
      LOCAL_DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: process.env.CHAOS_LOG_LEVEL ?? 'CRITICAL',
    };
    const timeoutMs = options.startTimeoutMs ?? 90_000;
    const start = async () => {
      // The killed runtime's database session (and its advisory lock) may take a moment to go away.
      for (let attempt = 1; ; attempt++) {
        try {
          return await spawnRuntime(env, timeoutMs);
        } catch (error) {
          if (attempt >= 10 || !/already using this database/.test(String(error))) throw error;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    };
    child = await start();
    const running = pg;
    const runtime: RestartableRuntime = {
      baseUrl: `http://127.0.0.1:${port}`,
      databaseUrl,
      jwtSecret: await loadOrCreateDevSecret(dataDir),
      starts: 1,
      kill: async () => {
        const current = child;
        if (!current) return;
        current.kill('SIGKILL');
        await exited(current);
        child = undefined;
      },
      restart: async () => {
        await runtime.kill();
        child = await start();
        runtime.starts += 1;
      },
      close: async () => {
        const current = child;
        child = undefined;
        if (current) {
          current.kill('SIGINT');
          let timer: NodeJS.Timeout | undefined;
          const stopped = await Promise.race([
            exited(current).then(() => true),
            new Promise<boolean>((r) => {
              timer = setTimeout(() => r(false), 20_000);
            }),
          ]).finally(() => clearTimeout(timer));
          if (!stopped) {
            current.kill('SIGKILL');
            await exited(current);
          }
        }
        await running.stop().catch(() => {});
        await rm(dataDir, { recursive: true, force: true });
      },
    };
    return runtime;
  } catch (error) {
    child?.kill('SIGKILL');
    await pg?.stop().catch(() => {});
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
