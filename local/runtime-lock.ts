import { readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

// One local runtime per data directory (docs/architecture.md, "Local runtime"): `runtime.lock` holds the
// pid and start time of the runtime using it. A live holder refuses a second runtime before it touches
// anything; a dead one (kill -9) leaves a leftover, which the next start may clean up.

export interface RuntimeLockHolder {
  pid: number;
  startedAt: string;
  /** The kernel's start time of that pid (Linux), so a recycled pid is not taken for the runtime. */
  processStart?: string;
}

export class RuntimeBusyError extends Error {
  override readonly name = 'RuntimeBusyError';
}

export function runtimeLockFile(dataDir: string): string {
  return join(dataDir, 'runtime.lock');
}

/** Field 22 of /proc/<pid>/stat (after the command, which may hold spaces); undefined off Linux. */
function processStartOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** True while the process that wrote `holder` runs (EPERM: it runs, as another user). */
export function isHolderAlive(holder: RuntimeLockHolder): boolean {
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = processStartOf(holder.pid);
  return holder.processStart === undefined || start === undefined || start === holder.processStart;
}

export async function readRuntimeLock(dataDir: string): Promise<RuntimeLockHolder | undefined> {
  try {
    const holder = JSON.parse(await readFile(runtimeLockFile(dataDir), 'utf8')) as RuntimeLockHolder;
    return Number.isInteger(holder?.pid) && holder.pid > 0 ? holder : undefined;
  } catch {
    return undefined; // none, or torn by a crash mid-write: nobody holds it
  }
}

/**
 * Takes the data directory for this process, or throws RuntimeBusyError (naming the holder) while a live
 * runtime has it. `wx` makes two concurrent starts race on the file, not on the database.
 */
export async function acquireRuntimeLock(dataDir: string): Promise<{ release(): Promise<void> }> {
  await mkdir(dataDir, { recursive: true });
  const me: RuntimeLockHolder = {
    pid: process.pid,
    startedAt: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    processStart: processStartOf(process.pid),
  };
  for (let attempt = 0; attempt < 3; attempt++) {
    const holder = await readRuntimeLock(dataDir);
    if (holder && holder.pid !== process.pid && isHolderAlive(holder)) {
      throw new RuntimeBusyError(
        `Another local runtime (pid ${holder.pid}, started ${holder.startedAt}) is using ${dataDir}. ` +
          'Stop it first (Ctrl-C in its terminal), or give this one its own LOCAL_DATA_DIR.',
      );
    }
    if (holder) await rm(runtimeLockFile(dataDir), { force: true }); // a leftover of a dead runtime
    try {
      await writeFile(runtimeLockFile(dataDir), JSON.stringify(me), { flag: 'wx', mode: 0o644 });
      return {
        release: async () => {
          if ((await readRuntimeLock(dataDir))?.pid === process.pid)
            await rm(runtimeLockFile(dataDir), { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new RuntimeBusyError(`Another local runtime is starting on ${dataDir}; try again`);
}
