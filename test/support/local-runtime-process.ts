import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../local/embedded-postgres';
import { exited, ownRuntimeEnv, spawnLocalRuntime } from '../../local/runtime-process';

// `npm start` as a child process, for the end-to-end tests: a free port and its own data directory.

export interface LocalRuntimeProcess {
  baseUrl: string;
  dataDir: string;
  /** Milliseconds from spawn to the ready line. */
  readyAfterMs: number;
  jwtSecret(): Promise<string>;
  /** SIGKILL: nothing runs after it, as after a crash. */
  crash(): Promise<void>;
  /** SIGINT (Ctrl-C); resolves with the exit code. */
  stop(): Promise<number | null>;
}

export async function makeDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'payments-e2e-'));
  await chmod(dir, 0o755);
  return dir;
}

export async function startLocalRuntime(
  options: { dataDir?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
) {
  const dataDir = options.dataDir ?? (await makeDataDir());
  const port = await freePort();
  const started = Date.now();
  const env = ownRuntimeEnv(port, dataDir, options.env);
  const { child, baseUrl } = await spawnLocalRuntime({ env, timeoutMs: options.timeoutMs ?? 60_000 });
  const runtime: LocalRuntimeProcess = {
    baseUrl,
    dataDir,
    readyAfterMs: Date.now() - started,
    jwtSecret: async () => (await readFile(join(dataDir, 'jwt-secret'), 'utf8')).trim(),
    crash: async () => {
      child.kill('SIGKILL');
      await exited(child);
    },
    stop: async () => {
      child.kill('SIGINT');
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
