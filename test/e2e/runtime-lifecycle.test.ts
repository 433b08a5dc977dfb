import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../../local/embedded-postgres';
import { ownRuntimeEnv, spawnLocalRuntime } from '../../local/runtime-process';
import { type LocalRuntimeProcess, removeDataDir, startLocalRuntime } from '../support/local-runtime-process';
import { isTerminal, PaymentsClient } from './client';

// Starting and stopping `npm start` as a user does (docs/architecture.md, "Local runtime"): a second
// runtime on a data directory in use is refused and touches nothing; Ctrl-C under load drains.

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('a second runtime on the same data directory', () => {
  let first: LocalRuntimeProcess | undefined;
  afterAll(async () => {
    if (!first) return;
    expect(await first.stop()).toBe(0);
    await removeDataDir(first.dataDir);
  }, 30_000);

  it('is refused with a clear message while the first keeps serving', async () => {
    first = await startLocalRuntime();
    const client = new PaymentsClient(first.baseUrl, await first.token());
    for (const port of [await freePort(), Number(new URL(first.baseUrl).port)]) {
      const second = spawnLocalRuntime({ env: ownRuntimeEnv(port, first.dataDir), timeoutMs: 60_000 });
      await expect(second).rejects.toThrow(/Another local runtime \(pid \d+, started .*\) is using/);
    }
    expect((await fetch(`${first.baseUrl}/health`)).status).toBe(200);
    const created = await client.createPayment({ amount: 1500, currency: 'USD' });
    expect(created.status).toBe(201);
    const settled = await client.eventually(() => client.getPayment(created.json.id), isTerminal);
    expect(isTerminal(settled)).toBe(true);
  }, 120_000);
});

describe('Ctrl-C (SIGINT to the process group) under load', () => {
  let runtime: LocalRuntimeProcess | undefined;
  let pgPid = 0;
  afterAll(async () => {
    if (runtime) await removeDataDir(runtime.dataDir);
  }, 30_000);

  it('answers every request it accepted without a 5xx, then finishes every payment after a restart', async () => {
    runtime = await startLocalRuntime({ detached: true });
    pgPid = Number(
      (await readFile(join(runtime.dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
    );
    const userId = randomUUID();
    const client = new PaymentsClient(runtime.baseUrl, await runtime.token(userId));
    const statuses: number[] = [];
    const accepted: string[] = [];
    let interrupted: Promise<number | null> | undefined;
    let refused = 0;
    // Clients keep sending until the runtime stops answering; Ctrl-C lands in the middle of it.
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        for (;;) {
          try {
            const res = await client.createPayment({ amount: 2000, currency: 'USD' });
            statuses.push(res.status);
            if (res.status === 201) accepted.push(res.json.id);
          } catch {
            refused++; // connection refused or closed before a request was taken: not accepted
            if (interrupted) return;
          }
          if (!interrupted && accepted.length >= 40) interrupted = runtime!.interruptGroup();
        }
      }),
    );
    expect(await interrupted).toBe(0);
    expect(refused).toBeGreaterThan(0);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(accepted.length).toBeGreaterThanOrEqual(40);
    expect(isAlive(pgPid)).toBe(false); // the runtime stopped its database after draining

    // Every accepted payment completes: nothing was lost in the stop.
    const restarted = await startLocalRuntime({ dataDir: runtime.dataDir });
    try {
      const again = new PaymentsClient(restarted.baseUrl, await restarted.token(userId));
      const all = await again.eventually(
        () => again.listAllPayments(),
        (list) => list.length === accepted.length && list.every(isTerminal),
      );
      expect(all.map((p) => p.id).sort()).toEqual([...accepted].sort());
      expect(all.every(isTerminal)).toBe(true);
    } finally {
      expect(await restarted.stop()).toBe(0);
    }
    expect(existsSync(join(runtime.dataDir, 'runtime.lock'))).toBe(false);
  }, 180_000);
});

describe('after kill -9', () => {
  let runtime: LocalRuntimeProcess | undefined;
  afterAll(async () => {
    if (runtime) await removeDataDir(runtime.dataDir);
  }, 30_000);

  it('its PostgreSQL does not run on', async () => {
    runtime = await startLocalRuntime();
    const pid = Number(
      (await readFile(join(runtime.dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0],
    );
    expect(isAlive(pid)).toBe(true);
    await runtime.crash();
    const deadline = Date.now() + 20_000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(pid)).toBe(false);
  }, 120_000);
});
