import type { AddressInfo } from 'node:net';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { ChangeMessageVisibilityCommand, SQSClient } from '@aws-sdk/client-sqs';
import { PaymentCreated, PaymentFailed } from '../../lambdas/shared/events';
import { topology } from '../../lib/topology';
import { errorResponse } from '../../local/api-gateway';
import { localQueueUrl } from '../../local/aws-identity';
import { LocalEventBus } from '../../local/event-bus';
import { createLocalHttpServer } from '../../local/http-server';
import { QueueStore } from '../../local/queue-store';
import { compileRules } from '../../local/rule-matcher';
import { sqsService } from '../../local/sqs-endpoint';
import type { TestDatabase } from '../support/database';
import { createLocalTestDatabase } from '../support/local-database';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('local AWS endpoints through the real SDK clients', () => {
  let database: TestDatabase;
  let store: QueueStore;
  let endpoint: string;
  let server: ReturnType<typeof createLocalHttpServer>;
  const woken: string[] = [];

  beforeAll(async () => {
    database = await createLocalTestDatabase();
    store = new QueueStore(database.db);
    const bus = new LocalEventBus({
      db: database.db,
      store,
      busName: topology.bus.name,
      rules: compileRules(topology.rules),
      onEnqueued: (queues) => woken.push(...queues),
    });
    server = createLocalHttpServer({
      api: async (req) => errorResponse(404, 'not_found', 'Not found', req.requestId),
      awsServices: [bus.service(), sqsService(store, new Set(['payments', 'notifications']))],
      status: async () => ({}),
      log: () => {},
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
    await database.drop();
  });

  const entry = (contract: { source: string; detailType: string }, detail: object) => ({
    EventBusName: topology.bus.name,
    Source: contract.source,
    DetailType: contract.detailType,
    Detail: JSON.stringify(detail),
  });

  it('PutEvents routes each entry by the topology rules and enqueues the EventBridge envelope', async () => {
    const client = new EventBridgeClient({ region: 'us-east-1', endpoint, credentials });
    const time = new Date('2026-01-02T03:04:05Z');
    const out = await client.send(
      new PutEventsCommand({
        Entries: [
          { ...entry(PaymentCreated, { event_id: 'e1' }), Time: time, Resources: ['r1'] },
          entry(PaymentFailed, { event_id: 'e2' }),
          { ...entry(PaymentCreated, { event_id: 'e3' }), EventBusName: 'other-bus' },
          { ...entry(PaymentCreated, {}), Detail: 'not json' },
        ],
      }),
    );
    expect(out.FailedEntryCount).toBe(2);
    expect(out.Entries![0]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Entries![1]!.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(out.Entries![2]!.ErrorCode).toBe('InvalidArgument');
    expect(out.Entries![3]!.ErrorCode).toBe('InvalidArgument');
    expect(woken.sort()).toEqual(['notifications', 'risk']);

    const [created] = await store.receive('risk', {
      maxMessages: 10,
      visibilityTimeoutSeconds: 30,
      leasedBy: 't',
    });
    expect(JSON.parse(created!.body)).toEqual({
      version: '0',
      id: out.Entries![0]!.EventId,
      'detail-type': PaymentCreated.detailType,
      source: PaymentCreated.source,
      account: '000000000000',
      time: '2026-01-02T03:04:05Z',
      region: 'us-east-1',
      resources: ['r1'],
      detail: { event_id: 'e1' },
    });
    const [failed] = await store.receive('notifications', {
      maxMessages: 10,
      visibilityTimeoutSeconds: 30,
      leasedBy: 't',
    });
    expect(JSON.parse(failed!.body)).toMatchObject({
      'detail-type': PaymentFailed.detailType,
      detail: { event_id: 'e2' },
    });
  });

  it('is what a client configured by AWS_ENDPOINT_URL_EVENTBRIDGE talks to (as the handlers are)', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = endpoint;
    try {
      const client = new EventBridgeClient({ region: 'us-east-1', credentials });
      const out = await client.send(
        new PutEventsCommand({ Entries: [entry(PaymentCreated, { event_id: 'env' })] }),
      );
      expect(out.FailedEntryCount).toBe(0);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_EVENTBRIDGE;
      else process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = saved;
    }
    const received = await store.receive('risk', {
      maxMessages: 10,
      visibilityTimeoutSeconds: 30,
      leasedBy: 't',
    });
    expect(received.map((m) => JSON.parse(m.body).detail.event_id)).toEqual(['env']);
  });

  it('ChangeMessageVisibility on the queue URL the workers build delays the redelivery', async () => {
    const client = new SQSClient({ region: 'us-east-1', endpoint, credentials });
    await store.send('payments', ['retry me']);
    const [m] = await store.receive('payments', {
      maxMessages: 1,
      visibilityTimeoutSeconds: 30,
      leasedBy: 't',
    });
    const QueueUrl = localQueueUrl(endpoint, 'payments');
    await client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl, ReceiptHandle: m!.receiptHandle, VisibilityTimeout: 0 }),
    );
    const [again] = await store.receive('payments', {
      maxMessages: 1,
      visibilityTimeoutSeconds: 30,
      leasedBy: 't',
    });
    expect(again).toMatchObject({ messageId: m!.messageId, receiveCount: 2 });

    await expect(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: m!.receiptHandle,
          VisibilityTimeout: 5,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });
    await expect(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: localQueueUrl(endpoint, 'missing'),
          ReceiptHandle: again!.receiptHandle,
          VisibilityTimeout: 5,
        }),
      ),
    ).rejects.toMatchObject({ name: 'QueueDoesNotExist' });
    await expect(
      client.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl,
          ReceiptHandle: again!.receiptHandle,
          VisibilityTimeout: 50_000,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterValue' });
  });
});
