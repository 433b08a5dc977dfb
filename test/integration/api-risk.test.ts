import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { apiDeps, createApiHandler } from '../../lambdas/api/app';
import { riskWorker } from '../../lambdas/risk-worker/handler';
import { PaymentCreated } from '../../lambdas/shared/events';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  apiEvent,
  lambdaContext,
  RecordingPublisher,
  RecordingRetries,
  sqsEvent,
  sqsRecord,
  testResources,
} from '../support/factories';

// The payment's `risk` and the `risk_level` filter through the API function, over real PostgreSQL.

let t: TestDatabase;
let publisher: RecordingPublisher;
let api: ReturnType<typeof createApiHandler>;
let screen: ReturnType<typeof riskWorker.create>;

beforeAll(async () => {
  t = await createTestDatabase();
  publisher = new RecordingPublisher();
  const resources = testResources(t.db, publisher);
  api = createApiHandler(async () => apiDeps(await resources()));
  screen = riskWorker.create({ resources, retries: new RecordingRetries() });
});
afterAll(() => t.drop());

const invoke = (event: Parameters<typeof api>[0]) =>
  api(event, lambdaContext()) as Promise<APIGatewayProxyResult>;

async function create(userId: string, amount: number) {
  const res = await invoke(
    apiEvent({
      method: 'POST',
      resource: '/payments',
      userId,
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': randomUUID() },
      body: JSON.stringify({ amount, currency: 'USD' }),
    }),
  );
  expect(res.statusCode).toBe(201);
  return JSON.parse(res.body) as { id: string; risk: unknown };
}

/** Runs the risk worker over the PaymentCreated events the API wrote for these payments (its outbox rows). */
async function assess(...ids: string[]) {
  const rows = await t.db<
    { event_id: string; source: string; detail_type: string; detail: Record<string, unknown> }[]
  >`
    SELECT event_id, source, detail_type, detail FROM outbox
    WHERE detail_type = ${PaymentCreated.detailType} AND detail -> 'payment' ->> 'id' = ANY(${ids})`;
  expect(rows).toHaveLength(ids.length);
  const events = rows.map((r) => ({
    eventId: r.event_id,
    source: r.source,
    detailType: r.detail_type,
    detail: r.detail,
  }));
  const response = await screen(sqsEvent(...events.map((e) => sqsRecord(e))), lambdaContext());
  expect(response.batchItemFailures).toEqual([]);
}

const list = async (userId: string, query: Record<string, string>) =>
  invoke(apiEvent({ method: 'GET', resource: '/payments', userId, query }));

describe('the payment risk through the API', () => {
  it('risk is null until assessed, then the score, level, outcome, the rules that hit, version and time', async () => {
    const user = randomUUID();
    const created = await create(user, 500_000);
    expect(created.risk).toBeNull();
    const get = () =>
      invoke(
        apiEvent({
          method: 'GET',
          resource: '/payments/{id}',
          userId: user,
          pathParameters: { id: created.id },
        }),
      );
    expect(JSON.parse((await get()).body).risk).toBeNull();
    await assess(created.id);
    const risk = JSON.parse((await get()).body).risk;
    expect(risk).toEqual({
      score: 70,
      level: 'elevated',
      outcome: 'allow',
      reasons: [
        { rule: 'amount_threshold', score: 65 },
        { rule: 'first_payment', score: 5 },
      ],
      rules_version: expect.any(String),
      assessed_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
  });

  it('GET /payments?risk_level= lists only payments assessed at that level, and pages by it', async () => {
    const user = randomUUID();
    const normal = await create(user, 1200);
    const blocked = await create(user, 1_000_000);
    const unassessed = await create(user, 1300);
    await assess(normal.id, blocked.id);
    const ids = async (query: Record<string, string>) => {
      const res = await list(user, query);
      expect(res.statusCode).toBe(200);
      return JSON.parse(res.body).data.map((p: { id: string }) => p.id);
    };
    expect(await ids({ risk_level: 'highest' })).toEqual([blocked.id]);
    expect(await ids({ risk_level: 'normal' })).toEqual([normal.id]);
    expect(await ids({ risk_level: 'elevated' })).toEqual([]);
    expect(await ids({})).toEqual([unassessed.id, blocked.id, normal.id]);
    const page = JSON.parse(
      (await list(user, { risk_level: 'highest', status: 'PENDING', limit: '1' })).body,
    );
    expect(page.data.map((p: { risk: { level: string } }) => p.risk.level)).toEqual(['highest']);
    expect(page.next_cursor).toBeNull();
  });

  it('pages by risk_level with a cursor bound to it: the next page follows, another level refuses it', async () => {
    const user = randomUUID();
    const first = await create(user, 1200);
    const second = await create(user, 1400);
    await assess(first.id, second.id);
    const page = JSON.parse((await list(user, { risk_level: 'normal', limit: '1' })).body);
    expect(page.data.map((p: { id: string }) => p.id)).toEqual([second.id]);
    const next = await list(user, { risk_level: 'normal', limit: '1', cursor: page.next_cursor });
    expect(JSON.parse(next.body).data.map((p: { id: string }) => p.id)).toEqual([first.id]);
    const other = await list(user, { risk_level: 'highest', limit: '1', cursor: page.next_cursor });
    expect(other.statusCode).toBe(400);
  });

  it.each(['HIGH', 'block', ''])('risk_level=%j is a 400 validation_error', async (level) => {
    const res = await list(randomUUID(), { risk_level: level });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'validation_error' });
  });
});
