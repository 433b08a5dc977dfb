import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireRuntimeLock, RuntimeBusyError, runtimeLockFile } from '../../local/runtime-lock';
import { describeServer } from '../../scripts/ops/local-database';

// One runtime per data directory, told apart from a leftover by pid and start time (local/runtime-lock.ts).

/** The pid of a process that has exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid;

describe('runtime lock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'runtime-lock-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('refuses while a live process holds it, naming that process', async () => {
    await writeFile(runtimeLockFile(dir), JSON.stringify({ pid: process.ppid, startedAt: 'earlier' }));
    await expect(acquireRuntimeLock(dir)).rejects.toThrow(RuntimeBusyError);
    await expect(acquireRuntimeLock(dir)).rejects.toThrow(`pid ${process.ppid}, started earlier`);
  });

  it('takes over from a dead holder (kill -9) and releases on stop', async () => {
    await writeFile(runtimeLockFile(dir), JSON.stringify({ pid: deadPid(), startedAt: 'earlier' }));
    const lock = await acquireRuntimeLock(dir);
    expect(await describeServer(dir, 5432)).toMatch(/^running local runtime \(pid \d+/);
    await lock.release();
    expect(await describeServer(dir, 5432)).toMatch(/left running by a local runtime that is gone/);
  });

  it('a recycled pid (another start time) is not the runtime', async () => {
    const holder = { pid: process.ppid, startedAt: 'earlier', processStart: '1' };
    await writeFile(runtimeLockFile(dir), JSON.stringify(holder));
    expect(await describeServer(dir, 5432)).toMatch(/left running by a local runtime that is gone/);
  });

  it('ops does not call a dead runtime running', async () => {
    await writeFile(runtimeLockFile(dir), JSON.stringify({ pid: deadPid(), startedAt: 'earlier' }));
    expect(await describeServer(dir, 5432)).not.toMatch(/running local runtime/);
  });
});
