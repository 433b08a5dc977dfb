import { randomUUID } from 'node:crypto';
import { isTerminal, type Payment, PaymentsClient } from './client';

// The payments flow over HTTP, as a user sees it, for any running platform: the local runtime from the
// sources (payments.test.ts), the local runtime from the bundles `cdk synth` ships (bundles.test.ts), or
// a deployed stage (E2E_BASE_URL and E2E_TOKEN).

const CURRENCY = 'USD';
const DECLINED_AMOUNT = 2013; // the simulated gateway declines amounts ending in 13
const BLOCKED_AMOUNT = 1_000_000; // USD 10,000.00: the risk rules block it whatever the user's history

export interface FlowTarget {
  /**
   * A client no other test's asynchronous tail can touch: locally a user of its own; against a deployed
   * stage (one token, one user) the shared user once every payment it made before is terminal.
   */
  isolatedClient(): Promise<PaymentsClient>;
}

export async function waitAllTerminal(client: PaymentsClient, ids: readonly string[], timeoutMs: number) {
  const wanted = new Set(ids);
  return client.eventually(
    async () => (await client.listAllPayments()).filter((p) => wanted.has(p.id)),
    (payments) => payments.length === wanted.size && payments.every(isTerminal),
    timeoutMs,
  );
}

export const sumSucceeded = (payments: readonly Payment[]) =>
  payments.filter((p) => p.status === 'SUCCEEDED').reduce((sum, p) => sum + p.amount, 0);

/** The target for E2E_BASE_URL and E2E_TOKEN: one user, so each test waits for the previous ones' tails. */
export function deployedTarget(baseUrl: string, token: string): FlowTarget {
  const client = new PaymentsClient(baseUrl.replace(/\/$/, ''), token);
  return {
    isolatedClient: async () => {
      const all = await client.listAllPayments();
      await waitAllTerminal(
        client,
        all.map((p) => p.id),
        120_000,
      );
      return client;
    },
  };
}

/** Health, success and decline with notifications, replay and reuse of a key, listing and balance, a burst. */
export function paymentsFlow(target: () => FlowTarget): void {
  const isolatedClient = () => target().isolatedClient();

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

  it('blocks USD 10,000.00 before the charge: FAILED risk_blocked, assessed block, two notifications, no balance change', async () => {
    const client = await isolatedClient();
    const balanceBefore = await client.balance(CURRENCY);
    const created = await client.createPayment({ amount: BLOCKED_AMOUNT, currency: CURRENCY });
    expect(created.status).toBe(201);
    expect(created.json.risk).toBeNull();
    const payment = await client.eventually(() => client.getPayment(created.json.id), isTerminal, 30_000);
    expect(payment).toMatchObject({
      status: 'FAILED',
      failure_code: 'risk_blocked',
      risk: { level: 'highest', outcome: 'block', score: 100 },
    });
    expect(payment.failure_reason).toMatch(/^Blocked by risk screening \(score 100: amount_threshold \+100/);
    expect(payment.risk?.reasons).toEqual(expect.arrayContaining([{ rule: 'amount_threshold', score: 100 }]));
    const notifications = await client.eventually(
      () => client.notifications(payment.id),
      (n) => n.length >= 2,
      30_000,
    );
    expect(notifications.map((n) => n.channel).sort()).toEqual(['email', 'sms']);
    const listed = await client.listAllPayments('risk_level=highest');
    expect(listed.map((p) => p.id)).toContain(payment.id);
    expect(await client.balance(CURRENCY)).toBe(balanceBefore);
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
}
