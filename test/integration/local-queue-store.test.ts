import { QueueStore } from '../../local/queue-store';
import type { TestDatabase } from '../support/database';
import { createLocalTestDatabase } from '../support/local-database';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('local queue store (SQS semantics on PostgreSQL)', () => {
  let database: TestDatabase;
  let store: QueueStore;
  const receive = (queue: string, overrides: Partial<Parameters<QueueStore['receive']>[1]> = {}) =>
    store.receive(queue, { maxMessages: 10, visibilityTimeoutSeconds: 30, leasedBy: 'test', ...overrides });

  beforeAll(async () => {
    database = await createLocalTestDatabase();
    store = new QueueStore(database.db);
  });
  afterAll(() => database.drop());

  it('hides a received message for its visibility timeout, then delivers it again with a new receipt handle', async () => {
    const [id] = await store.send('visibility', ['{"n":1}']);
    const [first] = await receive('visibility', { visibilityTimeoutSeconds: 1 });
    expect(first).toMatchObject({ messageId: id, body: '{"n":1}', receiveCount: 1 });
    expect(await receive('visibility')).toEqual([]);
    await sleep(1100);
    const [second] = await receive('visibility');
    expect(second).toMatchObject({ messageId: id, receiveCount: 2 });
    expect(second!.receiptHandle).not.toBe(first!.receiptHandle);
    expect(second!.firstReceivedAt).toEqual(first!.firstReceivedAt);
    expect(await store.delete('visibility', first!.receiptHandle)).toBe(false);
    expect(await store.delete('visibility', second!.receiptHandle)).toBe(true);
    expect((await store.depths()).visibility).toBeUndefined();
  });

  it('receives at most the batch size, oldest first', async () => {
    const bodies = Array.from({ length: 25 }, (_, i) => `{"i":${i}}`);
    for (const body of bodies) await store.send('batch', [body]);
    const batch = await receive('batch', { maxMessages: 10 });
    expect(batch.map((m) => m.body)).toEqual(bodies.slice(0, 10));
    expect((await store.depths()).batch).toEqual({ visible: 15, inFlight: 10, delayed: 0 });
  });

  it('lets concurrent receivers share a queue without delivering a message twice', async () => {
    await store.send(
      'shared',
      Array.from({ length: 15 }, (_, i) => `${i}`),
    );
    const batches = await Promise.all([receive('shared'), receive('shared'), receive('shared')]);
    const ids = batches.flat().map((m) => m.messageId);
    expect(ids).toHaveLength(15);
    expect(new Set(ids).size).toBe(15);
  });

  it('moves a message to the dead-letter queue once it was received maxReceiveCount times', async () => {
    const [id] = await store.send('redrive', ['poison']);
    const redrive = { maxReceiveCount: 2, deadLetterQueue: 'redrive-dlq' };
    expect(await receive('redrive', { visibilityTimeoutSeconds: 0, redrive })).toMatchObject([
      { receiveCount: 1 },
    ]);
    expect(await receive('redrive', { visibilityTimeoutSeconds: 0, redrive })).toMatchObject([
      { receiveCount: 2 },
    ]);
    expect(await receive('redrive', { visibilityTimeoutSeconds: 0, redrive })).toEqual([]);
    const depths = await store.depths();
    expect(depths.redrive).toBeUndefined();
    expect(depths['redrive-dlq']).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
    const [dead] = await receive('redrive-dlq');
    expect(dead).toMatchObject({ messageId: id, body: 'poison' });
  });

  it('in one receive, dead-letters the exhausted messages and delivers the others', async () => {
    const redrive = { maxReceiveCount: 1, deadLetterQueue: 'mixed-dlq' };
    const [poison] = await store.send('mixed', ['poison']);
    expect(await receive('mixed', { visibilityTimeoutSeconds: 0, redrive })).toMatchObject([
      { messageId: poison },
    ]);
    const fresh = await store.send('mixed', ['a', 'b']);
    const batch = await receive('mixed', { redrive });
    expect(batch.map((m) => m.messageId)).toEqual(fresh);
    expect(batch.every((m) => m.receiveCount === 1 && m.receiptHandle.length > 0)).toBe(true);
    const depths = await store.depths();
    expect(depths.mixed).toEqual({ visible: 0, inFlight: 2, delayed: 0 });
    expect(depths['mixed-dlq']).toEqual({ visible: 1, inFlight: 0, delayed: 0 });
    // Without a redrive policy nothing is dead-lettered, however often it was received.
    await store.send('no-redrive', ['x']);
    for (let i = 1; i <= 3; i++) {
      expect(await receive('no-redrive', { visibilityTimeoutSeconds: 0 })).toMatchObject([
        { receiveCount: i },
      ]);
    }
  });

  it('deletes a batch of deliveries in one call, only those whose receipt handle is current', async () => {
    await store.send('delete-batch', ['1', '2', '3']);
    const batch = await receive('delete-batch', { visibilityTimeoutSeconds: 0 });
    const again = await receive('delete-batch', { maxMessages: 1 }); // message 1 again: a new handle
    expect(again[0]!.messageId).toBe(batch[0]!.messageId);
    expect(
      await store.deleteBatch(
        'delete-batch',
        batch.map((m) => m.receiptHandle),
      ),
    ).toBe(2);
    expect(await store.deleteBatch('other-queue', [again[0]!.receiptHandle])).toBe(0);
    expect(await store.deleteBatch('delete-batch', [])).toBe(0);
    expect((await store.depths())['delete-batch']).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
  });

  it('changes the visibility of an in-flight message (retry delay or immediate release)', async () => {
    await store.send('change', ['a']);
    const [m] = await receive('change', { visibilityTimeoutSeconds: 60 });
    expect(await store.changeVisibility('change', m!.receiptHandle, 0)).toBe('changed');
    const [again] = await receive('change', { visibilityTimeoutSeconds: 60 });
    expect(again).toMatchObject({ messageId: m!.messageId, receiveCount: 2 });
    expect(await store.changeVisibility('change', again!.receiptHandle, 1)).toBe('changed');
    expect(await receive('change')).toEqual([]);
    expect((await store.depths()).change).toEqual({ visible: 0, inFlight: 1, delayed: 0 });
    await sleep(1100);
    expect(await store.changeVisibility('change', again!.receiptHandle, 5)).toBe('message_not_in_flight');
    expect(await store.changeVisibility('change', m!.receiptHandle, 5)).toBe('receipt_handle_invalid');
    expect(await store.changeVisibility('change', 'no-such-handle', 5)).toBe('receipt_handle_invalid');
    expect(await receive('change')).toMatchObject([{ receiveCount: 3 }]);
  });

  it('after a crash, frees what a dead process was handling but keeps delays a handler chose', async () => {
    await store.releaseAbandoned('new-process'); // leases left by the tests above
    await store.send('crash', ['held', 'delayed']);
    const batch = await receive('crash', { leasedBy: 'dead-process', visibilityTimeoutSeconds: 120 });
    const delayed = batch.find((m) => m.body === 'delayed')!;
    await store.changeVisibility('crash', delayed.receiptHandle, 120);
    await store.release([delayed.receiptHandle]); // its handler returned a failure before the crash
    expect(await store.releaseAbandoned('new-process')).toBe(1);
    const redelivered = await receive('crash', { leasedBy: 'new-process' });
    expect(redelivered.map((m) => m.body)).toEqual(['held']);
    expect(await store.releaseAbandoned('new-process')).toBe(0);
  });

  it('drops messages older than the queue retention, as SQS does, and keeps the rest', async () => {
    const [old, held] = await store.send('retention', ['{"old":1}', '{"held":1}']);
    await store.send('retention', ['{"new":1}']);
    await database.db`UPDATE local_queue_messages SET sent_at = now() - interval '8 days' WHERE id IN (${old!}, ${held!})`;
    // One of the old ones is in flight: a consumer is handling it, so it is left alone for now.
    await database.db`UPDATE local_queue_messages SET visible_at = now() + interval '1 minute' WHERE id = ${held!}`;
    expect(await store.dropExpired('retention', 7)).toBe(1);
    const left =
      await database.db`SELECT body FROM local_queue_messages WHERE queue = 'retention' ORDER BY body`;
    expect(left.map((r) => r.body)).toEqual(['{"held":1}', '{"new":1}']);
  });
});
