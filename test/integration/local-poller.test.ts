import type { SQSEvent } from 'aws-lambda';
import type { FunctionSpec, QueueSpec } from '../../lib/topology';
import { type BatchOutcome, Poller } from '../../local/poller';
import { QueueStore } from '../../local/queue-store';
import type { TestDatabase } from '../support/database';
import { createLocalTestDatabase } from '../support/local-database';

const queueSpec: QueueSpec = {
  consumer: 'paymentWorker',
  visibilityTimeoutSeconds: 60,
  maxReceiveCount: 5,
  batchSize: 4,
  maxBatchingWindowSeconds: 0,
  maxConcurrency: 2,
  retentionDays: 1,
};
const functionSpec: FunctionSpec = {
  timeoutSeconds: 2,
  memoryMb: 128,
  usesDatabase: false,
  publishesEvents: false,
};

describe('local poller (Lambda SQS event source mapping)', () => {
  let database: TestDatabase;
  let store: QueueStore;

  beforeAll(async () => {
    database = await createLocalTestDatabase();
    store = new QueueStore(database.db);
  });
  afterAll(() => database.drop());

  /** Runs a poller over `queue` until `batches` batches were handled; returns the events and outcomes. */
  async function pollUntil(queue: string, batches: number, handler: (event: SQSEvent) => Promise<unknown>) {
    const seen: { event: SQSEvent; outcome: BatchOutcome }[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => {
      done = r;
    });
    const poller = new Poller({
      queue,
      spec: queueSpec,
      deadLetterQueue: `${queue}-dlq`,
      consumer: { name: 'testConsumer', spec: functionSpec, handler: (event) => handler(event as SQSEvent) },
      store,
      leaseholder: 'poller-test',
      idlePollMs: 50,
      log: () => {},
      hooks: {
        afterInvoke: (_q, event, outcome) => {
          seen.push({ event, outcome });
          if (seen.length >= batches) done();
        },
      },
    });
    poller.start();
    await finished;
    await poller.stop();
    return seen;
  }

  it('delivers SQS-shaped batches of at most batchSize and deletes what succeeded', async () => {
    await store.send(
      'ok',
      Array.from({ length: 6 }, (_, i) => JSON.stringify({ i })),
    );
    const seen = await pollUntil('ok', 2, async () => ({ batchItemFailures: [] }));
    expect(seen.map((s) => s.event.Records.length).sort()).toEqual([2, 4]);
    const record = seen[0]!.event.Records[0]!;
    expect(record).toMatchObject({
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:ok',
      awsRegion: 'us-east-1',
      attributes: { ApproximateReceiveCount: '1' },
    });
    expect(record.md5OfBody).toMatch(/^[0-9a-f]{32}$/);
    expect((await store.depths()).ok).toBeUndefined();
  });

  it('keeps only the reported failures of a partial batch failure', async () => {
    await store.send('partial', ['keep', 'drop', 'keep', 'drop']);
    const seen = await pollUntil('partial', 1, async (event) => ({
      batchItemFailures: event.Records.filter((r) => r.body === 'keep').map((r) => ({
        itemIdentifier: r.messageId,
      })),
    }));
    expect(seen[0]!.outcome.failed).toHaveLength(2);
    expect((await store.depths()).partial).toEqual({ visible: 0, inFlight: 2, delayed: 0 });
    // Released from the lease: a restart would not redeliver them early.
    expect(await store.releaseAbandoned('another-process')).toBe(0);
  });

  it('fails the whole batch when the handler throws or names an unknown message', async () => {
    await store.send('throws', ['a', 'b']);
    const thrown = await pollUntil('throws', 1, async () => {
      throw new Error('boom');
    });
    expect(thrown[0]!.outcome.failed).toHaveLength(2);
    expect((await store.depths()).throws).toEqual({ visible: 0, inFlight: 2, delayed: 0 });

    await store.send('unknown-id', ['a', 'b']);
    const bogus = await pollUntil('unknown-id', 1, async () => ({
      batchItemFailures: [{ itemIdentifier: 'nope' }],
    }));
    expect(bogus[0]!.outcome.failed).toHaveLength(2);
    expect((await store.depths())['unknown-id']).toEqual({ visible: 0, inFlight: 2, delayed: 0 });
  });

  it('counts a handler past its timeout as a failed batch', async () => {
    await store.send('slow', ['a']);
    const seen = await pollUntil('slow', 1, () => new Promise((r) => setTimeout(r, 2500)));
    expect(seen[0]!.outcome.error).toBeInstanceOf(Error);
    expect((await store.depths()).slow).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
  });

  it('never runs more than maxConcurrency batches at once', async () => {
    await store.send(
      'busy',
      Array.from({ length: 20 }, (_, i) => `${i}`),
    );
    let running = 0;
    let peak = 0;
    await pollUntil('busy', 5, async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 100));
      running--;
      return {};
    });
    expect(peak).toBe(queueSpec.maxConcurrency);
  });
});
