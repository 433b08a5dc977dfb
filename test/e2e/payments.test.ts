import { randomUUID } from 'node:crypto';
import { signDevToken } from '../../lambdas/shared/auth/dev-token';
import { type LocalRuntimeProcess, removeDataDir, startLocalRuntime } from '../support/local-runtime-process';
import { isTerminal, type Payment, PaymentsClient, sleep } from './client';

// The whole flow through HTTP. By default against `npm start` run as a child process; with
// E2E_BASE_URL and E2E_TOKEN set, against that deployed stage (AWS or LocalStack) instead.

const deployed = Boolean(process.env.E2E_BASE_URL && process.env.E2E_TOKEN);
const CURRENCY = 'USD';
const DECLINED_AMOUNT = 2013; // the simulated gateway declines amounts ending in 13

async function localClient(runtime: LocalRuntimeProcess, userId = randomUUID()): Promise<PaymentsClient> {
  const token = await signDevToken({
    userId,
    secret: await runtime.jwtSecret(),
    issuer: 'payments-local',
    audience: 'payments-api',
  });
  return new PaymentsClient(runtime.baseUrl, token);
}

/** Runs `work` over `items` with at most `limit` at once. */
async function pool<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        results[i] = await work(items[i]!);
      }
    }),
  );
  return results;
}

async function waitAllTerminal(client: PaymentsClient, ids: readonly string[], timeoutMs: number) {
  const wanted = new Set(ids);
  return client.eventually(
    async () => (await client.listAllPayments()).filter((p) => wanted.has(p.id)),
    (payments) => payments.length === wanted.size && payments.every(isTerminal),
    timeoutMs,
  );
}

const sumSucceeded = (payments: readonly Payment[]) =>
  payments.filter((p) => p.status === 'SUCCEEDED').reduce((sum, p) => sum + p.amount, 0);

describe(`payments end to end (${deployed ? process.env.E2E_BASE_URL : 'local runtime'})`, () => {
  let runtime: LocalRuntimeProcess | undefined;
  let deployedClient: PaymentsClient | undefined;

  beforeAll(async () => {
    if (deployed) {
      deployedClient = new PaymentsClient(
        process.env.E2E_BASE_URL!.replace(/\/$/, ''),
        process.env.E2E_TOKEN!,
      );
    } else {
      runtime = await startLocalRuntime();
    }
  }, 90_000);

  afterAll(async () => {
    if (!runtime) return;
    expect(await runtime.stop()).toBe(0);
    await removeDataDir(runtime.dataDir);
  }, 30_000);

  /**
   * A client no other test's asynchronous tail can touch: locally a user of its own; against a deployed
   * stage (one token, one user) the shared user once every payment it made before is terminal.
   */
  async function isolatedClient(): Promise<PaymentsClient> {
    if (runtime) return localClient(runtime);
    const client = deployedClient!;
    const all = await client.listAllPayments();
    await waitAllTerminal(
      client,
      all.map((p) => p.id),
      120_000,
    );
    return client;
  }

  it('serves the health check without a token', async () => {
    const client = await isolatedClient();
    const res = await fetch(`${client.baseUrl}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('takes a payment from PENDING to SUCCEEDED with an email and an sms notification', async () => {
    const client = await isolatedClient();
    const created = await client.createPayment({ amount: 4999, currency: CURRENCY, description: 'e2e' });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({
      amount: 4999,
      currency: CURRENCY,
      status: 'PENDING',
      user_id: client.userId,
    });
    const id = created.json.id;
    const payment = await client.eventually(() => client.getPayment(id), isTerminal, 30_000);
    expect(payment.status).toBe('SUCCEEDED');
    const notifications = await client.eventually(
      () => client.notifications(id),
      (n) => n.length >= 2,
      30_000,
    );
    expect(notifications.map((n) => n.channel).sort()).toEqual(['email', 'sms']);
    expect(notifications.every((n) => n.payment_id === id && n.status === 'sent')).toBe(true);
  }, 60_000);

  it('declines an amount ending in 13: FAILED with card_declined, and still two notifications', async () => {
    const client = await isolatedClient();
    const created = await client.createPayment({ amount: DECLINED_AMOUNT, currency: CURRENCY });
    expect(created.status).toBe(201);
    const payment = await client.eventually(() => client.getPayment(created.json.id), isTerminal, 30_000);
    expect(payment).toMatchObject({ status: 'FAILED', failure_code: 'card_declined' });
    const notifications = await client.eventually(
      () => client.notifications(payment.id),
      (n) => n.length >= 2,
      30_000,
    );
    expect(notifications.map((n) => n.channel).sort()).toEqual(['email', 'sms']);
  }, 60_000);

  it('replays the same key and body, and refuses the same key with another body (422)', async () => {
    const client = await isolatedClient();
    const key = randomUUID();
    const body = { amount: 1500, currency: CURRENCY, metadata: { order: 'e2e-replay' } };
    const first = await client.createPayment(body, key);
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const replay = await client.createPayment(
      { currency: CURRENCY, metadata: { order: 'e2e-replay' }, amount: 1500 },
      key,
    );
    expect(replay.status).toBe(201);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.text).toBe(first.text);
    const reused = await client.createPayment({ ...body, amount: 1501 }, key);
    expect(reused.status).toBe(422);
    expect(reused.json).toMatchObject({ error: { code: 'idempotency_key_reused' } });
  }, 30_000);

  it('lists the caller’s payments newest first and keeps the balance equal to what succeeded', async () => {
    const client = await isolatedClient();
    const balanceBefore = await client.balance(CURRENCY);
    const ids: string[] = [];
    for (const amount of [1000, 2500, 3013]) {
      const res = await client.createPayment({ amount, currency: CURRENCY });
      expect(res.status).toBe(201);
      ids.push(res.json.id);
    }
    const payments = await waitAllTerminal(client, ids, 30_000);
    expect(payments.map((p) => p.id)).toEqual([...ids].reverse());
    expect(payments.map((p) => p.status)).toEqual(['FAILED', 'SUCCEEDED', 'SUCCEEDED']);
    const succeeded = await client.listAllPayments('status=SUCCEEDED');
    expect(succeeded.every((p) => p.status === 'SUCCEEDED')).toBe(true);
    expect(succeeded.map((p) => p.id)).toEqual(expect.arrayContaining([ids[0], ids[1]]));
    expect(await client.balance(CURRENCY)).toBe(balanceBefore + 3500);
  }, 60_000);

  it('takes 200 payments at once and brings every one to a terminal state', async () => {
    const client = await isolatedClient();
    const balanceBefore = await client.balance(CURRENCY);
    const amounts = Array.from({ length: 200 }, (_, i) =>
      i % 10 === 0 ? 100 * (i + 1) + 13 : 100 * (i + 1),
    );
    const responses = await Promise.all(
      amounts.map((amount) => client.createPayment({ amount, currency: CURRENCY })),
    );
    expect(responses.map((r) => r.status)).toEqual(amounts.map(() => 201));
    const payments = await waitAllTerminal(
      client,
      responses.map((r) => r.json.id),
      120_000,
    );
    expect(payments.filter(isTerminal)).toHaveLength(200);
    expect(payments.filter((p) => p.status === 'FAILED').map((p) => p.amount % 100)).toEqual(
      Array.from({ length: 20 }, () => 13),
    );
    expect(await client.balance(CURRENCY)).toBe(balanceBefore + sumSucceeded(payments));
  }, 180_000);
});

// A crash can only be staged against a process we own: not registered against a deployed stage.
if (!deployed) {
  describe('local runtime crash (kill -9) in the middle of 500 payments', () => {
    let runtime: LocalRuntimeProcess | undefined;

    afterAll(async () => {
      if (!runtime) return;
      await runtime.stop();
      await removeDataDir(runtime.dataDir);
    }, 30_000);

    it('loses and doubles nothing: every accepted payment ends terminal and is posted once', async () => {
      runtime = await startLocalRuntime();
      const userId = randomUUID();
      let client = await localClient(runtime, userId);
      const requests = Array.from({ length: 500 }, (_, i) => ({
        key: randomUUID(),
        body: { amount: i % 7 === 0 ? 1000 + i * 100 + 13 : 1000 + i * 100, currency: CURRENCY },
      }));
      const acceptedId = new Map<string, string>();
      let answered = 0;
      let crashed: Promise<void> | undefined;
      await pool(requests, 25, async ({ key, body }) => {
        if (crashed) return;
        try {
          const res = await client.createPayment(body, key);
          if (res.status === 201) acceptedId.set(key, res.json.id);
        } catch {
          // connection lost in the crash: outcome unknown, the client retries with the same key below
        }
        if (++answered === 250) crashed = runtime!.crash();
      });
      await crashed;
      expect(acceptedId.size).toBeGreaterThanOrEqual(200);
      expect(acceptedId.size).toBeLessThan(500);

      runtime = await startLocalRuntime({ dataDir: runtime.dataDir });
      client = await localClient(runtime, userId);
      // What a well-behaved client does after a crash: retry what it has no answer for, same key and body.
      await pool(
        requests.filter((r) => !acceptedId.has(r.key)),
        25,
        async ({ key, body }) => {
          for (let attempt = 0; attempt < 20; attempt++) {
            const res = await client.createPayment(body, key);
            if (res.status === 201) {
              acceptedId.set(key, res.json.id);
              return;
            }
            await sleep(250); // 409: the same key still in flight
          }
        },
      );
      expect(acceptedId.size).toBe(500);
      const ids = [...acceptedId.values()];
      expect(new Set(ids).size).toBe(500);

      const payments = await waitAllTerminal(client, ids, 180_000);
      expect(payments.filter(isTerminal)).toHaveLength(500);
      const all = await client.listAllPayments();
      expect(all.map((p) => p.id).sort()).toEqual([...ids].sort()); // nothing doubled
      for (const p of payments) expect(p.status).toBe(p.amount % 100 === 13 ? 'FAILED' : 'SUCCEEDED');
      expect(await client.balance(CURRENCY)).toBe(sumSucceeded(payments)); // one ledger posting each
      const notificationCounts = await pool(
        ids,
        25,
        async (id) =>
          (
            await client.eventually(
              () => client.notifications(id),
              (n) => n.length >= 2,
              60_000,
            )
          ).length,
      );
      expect(notificationCounts.every((n) => n === 2)).toBe(true);
    }, 420_000);
  });
}
