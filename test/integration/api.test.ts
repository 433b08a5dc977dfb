import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { apiDeps, createApiHandler } from '../../lambdas/api/app';
import { PaymentCreated } from '../../lambdas/shared/events';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  apiEvent,
  insertNotificationRow,
  lambdaContext,
  RecordingPublisher,
  testResources,
} from '../support/factories';

let t: TestDatabase;
let publisher: RecordingPublisher;
let handler: ReturnType<typeof createApiHandler>;

beforeAll(async () => {
  t = await createTestDatabase();
  publisher = new RecordingPublisher();
  const resources = testResources(t.db, publisher);
  handler = createApiHandler(async () => apiDeps(await resources()));
});
afterAll(() => t.drop());

const invoke = (event: Parameters<typeof handler>[0]) =>
  handler(event, lambdaContext()) as Promise<APIGatewayProxyResult>;

function post(userId: string, key: string | undefined, body: unknown, headers: Record<string, string> = {}) {
  return invoke(
    apiEvent({
      method: 'POST',
      resource: '/payments',
      userId,
      headers: {
        'Content-Type': 'application/json',
        ...(key === undefined ? {} : { 'Idempotency-Key': key }),
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

const get = (
  userId: string | undefined,
  resource: string,
  extra: Parameters<typeof apiEvent>[0] extends infer E ? Partial<E> : never = {},
) => invoke(apiEvent({ method: 'GET', resource, userId, ...extra }));

/** Follows `resource`'s next_cursor from the first page to the last; every page must answer 200. */
async function allPages<T>(userId: string, resource: string, limit: string) {
  const items: T[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await get(userId, resource, { query: { limit, ...(cursor ? { cursor } : {}) } });
    expect(res.statusCode).toBe(200);
    const page = JSON.parse(res.body);
    items.push(...page.data);
    cursor = page.next_cursor ?? undefined;
    pages++;
  } while (cursor);
  return { items, pages };
}

async function counts(userId: string) {
  const [row] = await t.db<{ payments: number; keys: number; outbox: number }[]>`
    SELECT (SELECT count(*)::int FROM payments WHERE user_id = ${userId}) AS payments,
           (SELECT count(*)::int FROM idempotency_keys WHERE user_id = ${userId}) AS keys,
           (SELECT count(*)::int FROM outbox WHERE detail->'payment'->>'user_id' = ${userId}) AS outbox`;
  return row!;
}

describe('POST /payments', () => {
  it('stores a PENDING payment and its outbox row, due at once for the relay, and publishes nothing itself', async () => {
    const user = randomUUID();
    const res = await post(user, 'k-1', {
      amount: 1250,
      currency: 'EUR',
      description: 'Tea',
      metadata: { order: '42' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.headers?.['X-Correlation-Id']).toBeTruthy();
    const payment = JSON.parse(res.body);
    expect(payment).toMatchObject({
      user_id: user,
      amount: 1250,
      currency: 'EUR',
      status: 'PENDING',
      metadata: { order: '42' },
      risk: null,
    });
    expect(Object.keys(payment).sort()).toEqual([
      'amount',
      'created_at',
      'currency',
      'description',
      'failure_code',
      'failure_reason',
      'id',
      'metadata',
      'risk',
      'status',
      'updated_at',
      'user_id',
    ]);
    // One statement and the answer: nothing on the request path talks to the bus.
    expect(publisher.published).toEqual([]);
    const [row] = await t.db`
      SELECT detail_type, detail->>'correlation_id' AS correlation_id, published_at, next_attempt_at <= now() AS due
      FROM outbox WHERE detail->'payment'->>'id' = ${payment.id}`;
    expect(row).toEqual({
      detail_type: PaymentCreated.detailType,
      correlation_id: res.headers?.['X-Correlation-Id'],
      published_at: null,
      due: true,
    });
  });

  it('keeps the caller’s correlation id', async () => {
    const res = await post(
      randomUUID(),
      'k-corr',
      { amount: 5, currency: 'USD' },
      { 'x-correlation-id': 'abc-123' },
    );
    expect(res.headers?.['X-Correlation-Id']).toBe('abc-123');
  });

  it('answers 201 while the bus refuses everything: the request never calls it', async () => {
    const user = randomUUID();
    publisher.refusing = true;
    const res = await post(user, 'k-fail', { amount: 700, currency: 'GBP' });
    expect(res.statusCode).toBe(201);
    const [row] =
      await t.db`SELECT published_at, attempts, last_error FROM outbox WHERE detail->'payment'->>'user_id' = ${user}`;
    expect(row).toMatchObject({ published_at: null, attempts: 0, last_error: null });
  });

  it('replays the stored response byte for byte with Idempotent-Replayed', async () => {
    const user = randomUUID();
    const first = await post(user, 'k-replay', { amount: 100, currency: 'USD' });
    // Same body with keys in another order hashes the same (canonical JSON).
    const again = await post(user, 'k-replay', '{"currency":"USD","amount":100}');
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers?.['Idempotent-Replayed']).toBe('true');
    expect(first.headers?.['Idempotent-Replayed']).toBeUndefined();
    expect(await counts(user)).toEqual({ payments: 1, keys: 1, outbox: 1 });
  });

  it('answers 422 for the same key with another body and writes nothing', async () => {
    const user = randomUUID();
    await post(user, 'k-reuse', { amount: 100, currency: 'USD' });
    const res = await post(user, 'k-reuse', { amount: 101, currency: 'USD' });
    expect(res.statusCode).toBe(422);
    expect(JSON.parse(res.body).error.code).toBe('idempotency_key_reused');
    expect(await counts(user)).toEqual({ payments: 1, keys: 1, outbox: 1 });
  });

  it('scopes keys per user', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const ra = await post(a, 'shared-key', { amount: 100, currency: 'USD' });
    const rb = await post(b, 'shared-key', { amount: 100, currency: 'USD' });
    expect([ra.statusCode, rb.statusCode]).toEqual([201, 201]);
    expect(JSON.parse(ra.body).id).not.toBe(JSON.parse(rb.body).id);
  });

  it('makes exactly one payment from 50 concurrent first requests with one key', async () => {
    const user = randomUUID();
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => post(user, 'k-race', { amount: 4200, currency: 'INR' })),
    );
    const statuses = answers.map((a) => a.statusCode);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    const created = answers.filter((a) => a.statusCode === 201);
    expect(created.length).toBeGreaterThan(0);
    expect(new Set(created.map((a) => a.body)).size).toBe(1);
    expect(await counts(user)).toEqual({ payments: 1, keys: 1, outbox: 1 });
  });

  it('does not store validation failures: the key stays usable', async () => {
    const user = randomUUID();
    const bad = await post(user, 'k-valid', { amount: -1, currency: 'USD' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body).error).toMatchObject({
      code: 'validation_error',
      details: [{ field: 'amount' }],
    });
    expect(await counts(user)).toEqual({ payments: 0, keys: 0, outbox: 0 });
    expect((await post(user, 'k-valid', { amount: 1, currency: 'USD' })).statusCode).toBe(201);
  });

  it('refuses a body user_id that differs from the token (403) and accepts a matching one', async () => {
    const user = randomUUID();
    const res = await post(user, 'k-user', { amount: 1, currency: 'USD', user_id: randomUUID() });
    expect(res.statusCode).toBe(403);
    expect(JSON.parse(res.body).error.code).toBe('forbidden');
    expect((await post(user, 'k-user2', { amount: 1, currency: 'USD', user_id: user })).statusCode).toBe(201);
    expect((await counts(user)).payments).toBe(1);
  });

  it.each([
    ['no key', undefined, { amount: 1, currency: 'USD' }, {}, 400, 'idempotency_key_missing'],
    ['a key of 256 characters', 'k'.repeat(256), { amount: 1, currency: 'USD' }, {}, 400, 'validation_error'],
    [
      'a non-JSON content type',
      'k',
      'amount=1',
      { 'Content-Type': 'text/plain' },
      415,
      'unsupported_media_type',
    ],
    [
      'a body over 16 KiB',
      'k',
      { amount: 1, currency: 'USD', description: 'x'.repeat(17_000) },
      {},
      413,
      'payload_too_large',
    ],
    ['broken JSON', 'k', '{"amount":', {}, 400, 'validation_error'],
    ['an unknown field', 'k', { amount: 1, currency: 'USD', card: '4242' }, {}, 400, 'validation_error'],
    [
      'a NUL character',
      'k',
      { amount: 1, currency: 'USD', description: 'a\u0000b' },
      {},
      400,
      'validation_error',
    ],
    [
      'a NUL in a metadata key',
      'k',
      { amount: 1, currency: 'USD', metadata: { 'a\u0000': 'b' } },
      {},
      400,
      'validation_error',
    ],
    ['an unknown currency', 'k', { amount: 1, currency: 'XXX' }, {}, 400, 'validation_error'],
    ['a fractional amount', 'k', { amount: 1.5, currency: 'USD' }, {}, 400, 'validation_error'],
    ['an amount over the limit', 'k', { amount: 100_000_000, currency: 'USD' }, {}, 400, 'validation_error'],
    [
      '21 metadata pairs',
      'k',
      {
        amount: 1,
        currency: 'USD',
        metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])),
      },
      {},
      400,
      'validation_error',
    ],
  ])('rejects %s and writes nothing', async (_name, key, body, headers, status, code) => {
    const user = randomUUID();
    const res = await post(user, key, body, headers);
    expect(res.statusCode).toBe(status);
    expect(JSON.parse(res.body).error.code).toBe(code);
    expect(await counts(user)).toEqual({ payments: 0, keys: 0, outbox: 0 });
  });

  it('answers 401 when no authorizer context reached the handler', async () => {
    const res = await invoke(
      apiEvent({
        method: 'POST',
        resource: '/payments',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k' },
        body: '{}',
      }),
    );
    expect(res.statusCode).toBe(401);
  });
});

describe('reads', () => {
  it('GET /payments/{id}: the owner gets it, anyone else and malformed ids get 404', async () => {
    const owner = randomUUID();
    const created = JSON.parse((await post(owner, 'k-read', { amount: 300, currency: 'USD' })).body);
    const mine = await get(owner, '/payments/{id}', { pathParameters: { id: created.id } });
    expect(mine.statusCode).toBe(200);
    expect(JSON.parse(mine.body)).toEqual(created);
    const theirs = await get(randomUUID(), '/payments/{id}', { pathParameters: { id: created.id } });
    expect(theirs.statusCode).toBe(404);
    expect(JSON.parse(theirs.body)).toEqual({ error: { code: 'not_found', message: 'Payment not found' } });
    expect(
      (await get(owner, '/payments/{id}', { pathParameters: { id: '../../etc/passwd' } })).statusCode,
    ).toBe(404);
  });

  it('GET /payments walks 250 payments newest first without gaps or repeats', async () => {
    const user = randomUUID();
    const ids: string[] = [];
    for (let i = 0; i < 250; i += 25) {
      const batch = await Promise.all(
        Array.from({ length: 25 }, (_, j) =>
          post(user, `page-${i + j}`, { amount: 100 + i + j, currency: 'USD' }),
        ),
      );
      ids.push(...batch.map((r) => JSON.parse(r.body).id));
    }
    const { items: seen, pages } = await allPages<{ id: string; created_at: string }>(
      user,
      '/payments',
      '37',
    );
    expect(pages).toBe(7);
    expect(seen.map((p) => p.id).sort()).toEqual([...ids].sort());
    expect(new Set(seen.map((p) => p.id)).size).toBe(250);
    const order = seen.map((p) => `${p.created_at}|${p.id}`);
    expect(order).toEqual([...order].sort().reverse());
  });

  it('GET /payments filters by status and time, and rejects bad queries', async () => {
    const user = randomUUID();
    await post(user, 'f-1', { amount: 1, currency: 'USD' });
    const all = JSON.parse((await get(user, '/payments', { query: { status: 'PENDING' } })).body);
    expect(all.data).toHaveLength(1);
    const none = JSON.parse((await get(user, '/payments', { query: { status: 'SUCCEEDED' } })).body);
    expect(none).toEqual({ data: [], next_cursor: null });
    const future = JSON.parse(
      (await get(user, '/payments', { query: { from: '2999-01-01T00:00:00Z' } })).body,
    );
    expect(future.data).toEqual([]);
    for (const query of <Record<string, string>[]>[
      { limit: '101' },
      { limit: '0' },
      { status: 'DONE' },
      { cursor: 'garbage' },
      { sort: 'asc' },
      { from: 'yesterday' },
    ]) {
      const res = await get(user, '/payments', { query });
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body).error.code).toBe('validation_error');
    }
  });

  it('GET /notifications answers the caller’s (none yet) and validates payment_id', async () => {
    const user = randomUUID();
    const ok = await get(user, '/notifications', { query: { payment_id: randomUUID() } });
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ data: [], next_cursor: null });
    expect((await get(user, '/notifications', { query: { payment_id: 'nope' } })).statusCode).toBe(400);
  });

  it('GET /notifications without payment_id pages through all of the caller’s, newest first', async () => {
    const user = randomUUID();
    const payments: string[] = [];
    for (let i = 0; i < 65; i++) {
      payments.push(JSON.parse((await post(user, `n-${i}`, { amount: 100 + i, currency: 'USD' })).body).id);
    }
    for (const paymentId of payments) {
      for (const channel of ['email', 'sms'] as const) {
        await insertNotificationRow(t.db, { paymentId, userId: user, channel });
      }
    }
    const firstDefault = JSON.parse((await get(user, '/notifications')).body);
    expect(firstDefault.data).toHaveLength(20);
    const { items: seen, pages } = await allPages<{ id: string; created_at: string; payment_id: string }>(
      user,
      '/notifications',
      '50',
    );
    expect(pages).toBe(3);
    expect(new Set(seen.map((n) => n.id)).size).toBe(130);
    expect(new Set(seen.map((n) => n.payment_id))).toEqual(new Set(payments));
    const order = seen.map((n) => `${n.created_at}|${n.id}`);
    expect(order).toEqual([...order].sort().reverse());
    const one = JSON.parse((await get(user, '/notifications', { query: { payment_id: payments[0]! } })).body);
    expect(one.data).toHaveLength(2);
    expect(one.next_cursor).toBeNull();
  });

  it('a cursor is bound to its query: another filter refuses it', async () => {
    const user = randomUUID();
    for (let i = 0; i < 3; i++) await post(user, `c-${i}`, { amount: 10 + i, currency: 'USD' });
    const page = JSON.parse(
      (await get(user, '/payments', { query: { limit: '1', status: 'PENDING' } })).body,
    );
    expect(page.next_cursor).toEqual(expect.any(String));
    const same = await get(user, '/payments', {
      query: { limit: '2', status: 'PENDING', cursor: page.next_cursor },
    });
    expect(same.statusCode).toBe(200); // the page size may change, the filters may not
    expect(JSON.parse(same.body).data).toHaveLength(2);
    for (const query of <Record<string, string>[]>[
      { status: 'FAILED' },
      {},
      { status: 'PENDING', from: '2000-01-01T00:00:00Z' },
    ]) {
      const res = await get(user, '/payments', { query: { ...query, cursor: page.next_cursor } });
      expect(res.statusCode).toBe(400);
      expect(JSON.parse(res.body).error.details).toEqual([{ field: 'cursor', issue: expect.any(String) }]);
    }
    const notifications = await get(user, '/notifications', { query: { cursor: page.next_cursor } });
    expect(notifications.statusCode).toBe(400);
  });

  it('names what is wrong: `from` after `to`, and each unknown parameter by its name', async () => {
    const user = randomUUID();
    const backwards = await get(user, '/payments', {
      query: { from: '2026-02-01T00:00:00Z', to: '2026-01-01T00:00:00Z' },
    });
    expect(backwards.statusCode).toBe(400);
    expect(JSON.parse(backwards.body).error.details).toEqual([
      { field: 'from', issue: 'must not be later than to' },
    ]);
    for (const resource of ['/payments', '/notifications']) {
      const res = await get(user, resource, { query: { sort: 'asc', pageSize: '3' } });
      expect(res.statusCode).toBe(400);
      expect(
        JSON.parse(res.body)
          .error.details.map((d: { field: string }) => d.field)
          .sort(),
      ).toEqual(['pageSize', 'sort']);
    }
  });

  it('compares ids in one canonical form: an upper case UUID is the same id', async () => {
    const user = randomUUID();
    const upper = user.toUpperCase();
    const created = await post(user, 'canon-1', { amount: 700, currency: 'USD', user_id: upper });
    expect(created.statusCode).toBe(201);
    const payment = JSON.parse(created.body);
    expect(payment.user_id).toBe(user);
    const byUpperId = await get(user, '/payments/{id}', { pathParameters: { id: payment.id.toUpperCase() } });
    expect(byUpperId.statusCode).toBe(200);
    const balance = await get(user, '/accounts/{user_id}/balance', { pathParameters: { user_id: upper } });
    expect(balance.statusCode).toBe(200);
    await insertNotificationRow(t.db, { paymentId: payment.id, userId: user, channel: 'email' });
    const notes = await get(user, '/notifications', { query: { payment_id: payment.id.toUpperCase() } });
    expect(JSON.parse(notes.body).data).toHaveLength(1);
    const fromUpperCaller = await get(upper, '/payments/{id}', { pathParameters: { id: payment.id } });
    expect(fromUpperCaller.statusCode).toBe(200);
  });

  it('GET /accounts/{user_id}/balance is the caller’s own only', async () => {
    const user = randomUUID();
    const mine = await get(user, '/accounts/{user_id}/balance', { pathParameters: { user_id: user } });
    expect(mine.statusCode).toBe(200);
    expect(JSON.parse(mine.body)).toEqual({ data: [] });
    const other = await get(user, '/accounts/{user_id}/balance', {
      pathParameters: { user_id: randomUUID() },
    });
    expect(other.statusCode).toBe(403);
  });

  it('GET /health checks the database', async () => {
    const res = await get(undefined, '/health');
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ status: 'ok' });
  });

  it('an unknown route is a 404 in the error shape', async () => {
    const res = await get(randomUUID(), '/nope');
    expect(res.statusCode).toBe(404);
    expect(JSON.parse(res.body).error.code).toBe('not_found');
  });
});
