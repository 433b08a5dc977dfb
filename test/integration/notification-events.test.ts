import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyResult } from 'aws-lambda';
import { apiDeps, createApiHandler } from '../../lambdas/api/app';
import { notificationWorker } from '../../lambdas/notification-worker/handler';
import { RecordingNotifier } from '../../lambdas/shared/adapters/notifier/recording-notifier';
import { derivedEventId } from '../../lambdas/shared/domain/notification-event';
import { NotificationRequested, NotificationSent, type OutgoingEvent } from '../../lambdas/shared/events';
import { toEnvelope } from '../../lambdas/shared/events/envelope';
import type { Notifier } from '../../lambdas/shared/use-cases/ports';
import { LOCAL_ACCOUNT, LOCAL_REGION } from '../../local/aws-identity';
import { createTestDatabase, type TestDatabase } from '../support/database';
import {
  apiEvent,
  lambdaContext,
  notificationRequested,
  RecordingPublisher,
  RecordingRetries,
  rawSqsRecord,
  sqsEvent,
  sqsRecord,
  testResources,
} from '../support/factories';

// Notification events end to end over a real PostgreSQL: the API's POST/GET /events and the notification
// worker's processing of NotificationRequested (docs/architecture.md, "Notification events").

let t: TestDatabase;
let publisher: RecordingPublisher;
let api: ReturnType<typeof createApiHandler>;

beforeAll(async () => {
  t = await createTestDatabase();
  publisher = new RecordingPublisher();
  const resources = testResources(t.db, publisher);
  api = createApiHandler(async () => apiDeps(await resources()));
});
afterAll(() => t.drop());

const invoke = (event: Parameters<typeof api>[0]) =>
  api(event, lambdaContext()) as Promise<APIGatewayProxyResult>;

function postEvent(userId: string, body: unknown, key?: string) {
  return invoke(
    apiEvent({
      method: 'POST',
      resource: '/events',
      userId,
      headers: {
        'Content-Type': 'application/json',
        ...(key === undefined ? {} : { 'Idempotency-Key': key }),
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    }),
  );
}

const get = (userId: string, resource: string, extra: Partial<Parameters<typeof apiEvent>[0]> = {}) =>
  invoke(apiEvent({ method: 'GET', resource, userId, ...extra }));

function worker(notifier: Notifier = new RecordingNotifier()) {
  const events = new RecordingPublisher();
  const retries = new RecordingRetries();
  const handler = notificationWorker.create({
    resources: testResources(t.db, events),
    retries,
    ports: (ports) => ({ ...ports, notifier }),
  });
  return { handler, publisher: events, retries };
}

async function rows(eventId: string) {
  const [row] = await t.db<{ processed: number; notifications: number; sent_events: number }[]>`
    SELECT (SELECT count(*)::int FROM processed_events WHERE id = ${eventId}) AS processed,
           (SELECT count(*)::int FROM notifications WHERE processed_event_id = ${eventId}) AS notifications,
           (SELECT count(*)::int FROM outbox WHERE detail_type = ${NotificationSent.detailType}
              AND detail -> 'requested_event' ->> 'id' = ${eventId}) AS sent_events`;
  return row!;
}

/** Delivers the event until the worker settles it (a delivery that met another's send in progress fails). */
async function deliverUntilSettled(w: ReturnType<typeof worker>, event: OutgoingEvent) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const r = await w.handler(sqsEvent(sqsRecord(event)), lambdaContext());
    if (r.batchItemFailures.length === 0) return;
  }
  throw new Error('the event did not settle in 5 deliveries');
}

describe('POST /events', () => {
  const body = {
    event_type: 'order.shipped',
    message: 'Your order #42 has shipped 📦',
    payload: { order: 42 },
  };

  it('publishes NotificationRequested, answers 202 with its id, and writes nothing', async () => {
    const user = `user-${randomUUID()}`;
    const before = publisher.ofType(NotificationRequested.detailType).length;
    const res = await postEvent(user, body);
    expect(res.statusCode).toBe(202);
    const answer = JSON.parse(res.body) as { id: string; status: string };
    expect(answer.status).toBe('accepted');
    const published = publisher.ofType(NotificationRequested.detailType);
    expect(published).toHaveLength(before + 1);
    expect(published.at(-1)!.detail).toMatchObject({ event_id: answer.id, user_id: user, ...body });
    expect(await rows(answer.id)).toEqual({ processed: 0, notifications: 0, sent_events: 0 });
  });

  it('derives the id from (user, Idempotency-Key): a retry names the same event, another user another', async () => {
    const user = `user-${randomUUID()}`;
    const a = JSON.parse((await postEvent(user, body, 'key-1')).body).id;
    const b = JSON.parse((await postEvent(user, body, 'key-1')).body).id;
    const c = JSON.parse((await postEvent(`other-${user}`, body, 'key-1')).body).id;
    expect(a).toBe(b);
    expect(a).toBe(derivedEventId(user, 'key-1'));
    expect(c).not.toBe(a);
  });

  it('answers 503 service_unavailable with Retry-After when the bus refuses, and the retry gets the same id', async () => {
    const user = `user-${randomUUID()}`;
    publisher.failNext();
    const refused = await postEvent(user, body, 'retry-me');
    expect(refused.statusCode).toBe(503);
    expect(refused.headers?.['Retry-After']).toBe('1');
    expect(JSON.parse(refused.body).error.code).toBe('service_unavailable');
    const retried = await postEvent(user, body, 'retry-me');
    expect(retried.statusCode).toBe(202);
    expect(JSON.parse(retried.body).id).toBe(derivedEventId(user, 'retry-me'));
  });

  it('403 when body user_id is another user; the same user in another case is accepted', async () => {
    const forbidden = await postEvent('Alice', { ...body, user_id: 'bob' });
    expect(forbidden.statusCode).toBe(403);
    expect(JSON.parse(forbidden.body).error.code).toBe('forbidden');
    expect((await postEvent('Alice', { ...body, user_id: 'ALICE' })).statusCode).toBe(202);
  });

  it.each([
    ['an event_type with upper case', { ...body, event_type: 'Order.Shipped' }],
    ['an event_type with injection', { ...body, event_type: "x'; DROP TABLE processed_events;--" }],
    ['an event_type of 65 characters', { ...body, event_type: `a${'b'.repeat(64)}` }],
    ['an empty message', { ...body, message: '' }],
    ['a message of 1001 characters', { ...body, message: 'é'.repeat(1001) }],
    ['a message with NUL', { ...body, message: 'a\u0000b' }],
    ['a lone surrogate in the payload', { ...body, payload: { note: '\ud800' } }],
    ['a payload over 8 KiB', { ...body, payload: { blob: 'x'.repeat(8 * 1024) } }],
    ['a payload that is an array', { ...body, payload: [1, 2] }],
    ['an unknown field', { ...body, priority: 'high' }],
  ])('400 validation_error for %s, and nothing published', async (_, bad) => {
    const before = publisher.published.length;
    const res = await postEvent('user-v', bad);
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('validation_error');
    expect(publisher.published).toHaveLength(before);
  });

  it('accepts a message of exactly 1000 characters (code points, not UTF-16 units)', async () => {
    expect((await postEvent('user-v', { ...body, message: '😀'.repeat(1000) })).statusCode).toBe(202);
  });
});

describe('notification worker: NotificationRequested', () => {
  it('stores the event once, sends each default channel once, emits NotificationSent; GET /events/{id} shows it', async () => {
    const user = `user-${randomUUID()}`;
    const event = notificationRequested({ user_id: user, payload: { order: 7 } });
    const id = event.eventId;
    expect((await get(user, '/events/{id}', { pathParameters: { id } })).statusCode).toBe(404);

    const notifier = new RecordingNotifier();
    const w = worker(notifier);
    expect((await w.handler(sqsEvent(sqsRecord(event)), lambdaContext())).batchItemFailures).toEqual([]);
    expect(notifier.sent.map((m) => m.channel).sort()).toEqual(['email', 'sms']);
    expect(notifier.sent.find((m) => m.channel === 'email')).toMatchObject({
      subject: 'Notification: order.shipped',
      body: 'Your order has shipped.',
      idempotencyKey: `event:${id}:email`,
    });
    expect(await rows(id)).toEqual({ processed: 1, notifications: 2, sent_events: 2 });
    const sent = w.publisher.ofType(NotificationSent.detailType);
    expect(sent.map((e) => e.detail.requested_event)).toEqual([
      { id, event_type: 'order.shipped' },
      { id, event_type: 'order.shipped' },
    ]);

    const res = await get(user, '/events/{id}', { pathParameters: { id } });
    expect(res.statusCode).toBe(200);
    const shown = JSON.parse(res.body);
    expect(shown).toMatchObject({ id, event_type: 'order.shipped', payload: { order: 7 } });
    expect(shown.notifications.map((n: { channel: string }) => n.channel).sort()).toEqual(['email', 'sms']);
    expect(shown.notifications.every((n: { event_id: string }) => n.event_id === id)).toBe(true);
    // Someone else's event is indistinguishable from a missing one.
    expect((await get('someone-else', '/events/{id}', { pathParameters: { id } })).statusCode).toBe(404);

    const listed = await get(user, '/notifications', { query: { event_id: id } });
    expect(JSON.parse(listed.body).data).toHaveLength(2);
  });

  it('duplicate and concurrent deliveries: one processed row, each channel sent and stored once', async () => {
    const event = notificationRequested({ user_id: `user-${randomUUID()}` });
    const notifier = new RecordingNotifier();
    const a = worker(notifier);
    const b = worker(notifier);
    await Promise.all([
      a.handler(sqsEvent(sqsRecord(event)), lambdaContext()),
      b.handler(sqsEvent(sqsRecord(event)), lambdaContext()),
    ]);
    await deliverUntilSettled(a, event);
    await deliverUntilSettled(b, event);
    expect(notifier.sent.map((m) => m.channel).sort()).toEqual(['email', 'sms']);
    expect(await rows(event.eventId)).toEqual({ processed: 1, notifications: 2, sent_events: 2 });
    expect([...a.publisher.published, ...b.publisher.published]).toHaveLength(2);
  });

  it('sends only to the channels the payload names, at the address it names', async () => {
    const notifier = new RecordingNotifier();
    const email = notificationRequested({ user_id: 'u-addr', payload: { email: 'ada@example.com' } });
    const sms = notificationRequested({ user_id: 'u-addr', payload: { phone: '+447700900123' } });
    const w = worker(notifier);
    expect(
      (await w.handler(sqsEvent(sqsRecord(email), sqsRecord(sms)), lambdaContext())).batchItemFailures,
    ).toEqual([]);
    // A batch's records run concurrently: the order of the sends is not part of the contract.
    expect(notifier.sent.map((m) => [m.channel, m.address]).sort()).toEqual([
      ['email', 'ada@example.com'],
      ['sms', '+447700900123'],
    ]);
  });

  it('a schema-invalid NotificationRequested is poison: to the DLQ at once, nothing stored', async () => {
    const good = notificationRequested({ user_id: 'u-poison' });
    const bad = toEnvelope({
      id: randomUUID(),
      source: NotificationRequested.source,
      detailType: NotificationRequested.detailType,
      detail: { ...good.detail, event_type: 'NOT VALID' },
      account: LOCAL_ACCOUNT,
      region: LOCAL_REGION,
    });
    const w = worker();
    const record = rawSqsRecord(JSON.stringify(bad));
    const response = await w.handler(sqsEvent(record), lambdaContext());
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: record.messageId }]);
    expect(w.retries.exhausted).toEqual([record.messageId]);
    expect(w.retries.delayed).toEqual([]);
    expect(await rows(good.eventId)).toEqual({ processed: 0, notifications: 0, sent_events: 0 });
  });

  it('a database error is retried with backoff, and the retry completes the event', async () => {
    const event = notificationRequested({ user_id: 'u-db' });
    let failures = 1;
    const w = notificationWorker.create({
      resources: testResources(t.db),
      retries: new RecordingRetries(),
      ports: (ports) => ({
        ...ports,
        eventStore: {
          ...ports.eventStore,
          recordProcessed: (e) => {
            if (failures-- > 0) return Promise.reject(new Error('connection terminated'));
            return ports.eventStore.recordProcessed(e);
          },
        },
      }),
    });
    const record = sqsRecord(event);
    expect((await w(sqsEvent(record), lambdaContext())).batchItemFailures).toHaveLength(1);
    expect((await w(sqsEvent(record), lambdaContext())).batchItemFailures).toEqual([]);
    expect(await rows(event.eventId)).toEqual({ processed: 1, notifications: 2, sent_events: 2 });
  });
});

describe('GET /events', () => {
  it('pages the caller’s events newest first by keyset, filtered by event_type and time', async () => {
    const user = `user-${randomUUID()}`;
    const w = worker();
    const base = Date.parse('2026-01-01T00:00:00.000Z');
    const events = Array.from({ length: 5 }, (_, i) =>
      notificationRequested({
        user_id: user,
        event_type: i % 2 === 0 ? 'a.even' : 'b.odd',
        occurred_at: new Date(base + i * 1000).toISOString(),
      }),
    );
    for (const e of events) await deliverUntilSettled(w, e);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await get(user, '/events', { query: { limit: '2', ...(cursor ? { cursor } : {}) } });
      expect(res.statusCode).toBe(200);
      const page = JSON.parse(res.body) as { data: { id: string }[]; next_cursor: string | null };
      seen.push(...page.data.map((e) => e.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(events.map((e) => e.eventId).reverse());

    const even = JSON.parse((await get(user, '/events', { query: { event_type: 'a.even' } })).body).data;
    expect(even.map((e: { id: string }) => e.id)).toEqual(
      [events[4]!, events[2]!, events[0]!].map((e) => e.eventId),
    );
    const window = await get(user, '/events', {
      query: { from: new Date(base + 1000).toISOString(), to: new Date(base + 3000).toISOString() },
    });
    expect(JSON.parse(window.body).data.map((e: { id: string }) => e.id)).toEqual(
      [events[2]!, events[1]!].map((e) => e.eventId),
    );
    expect((await get('nobody', '/events')).body).toBe(JSON.stringify({ data: [], next_cursor: null }));
  });

  it.each([
    [{ event_type: 'NOPE' }],
    [{ limit: '0' }],
    [{ cursor: 'not-a-cursor' }],
    [{ from: 'yesterday' }],
    [{ sort: 'asc' }],
  ])('400 for the query %j', async (query) => {
    const res = await get('user-q', '/events', { query });
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body).error.code).toBe('validation_error');
  });
});
