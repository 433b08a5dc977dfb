import { randomUUID } from 'node:crypto';
import { EventBridgeClient, PutEventsCommand, type PutEventsCommandInput } from '@aws-sdk/client-eventbridge';
import { mockClient } from 'aws-sdk-client-mock';
import {
  EventBridgePublisher,
  entrySize,
  MAX_REQUEST_BYTES,
} from '../../lambdas/shared/adapters/eventbridge/publisher';
import { type OutgoingEvent, PaymentCreated } from '../../lambdas/shared/events';

const eventBridge = mockClient(EventBridgeClient);

function outgoing(padding = 0): OutgoingEvent {
  const eventId = randomUUID();
  return {
    eventId,
    source: PaymentCreated.source,
    detailType: PaymentCreated.detailType,
    detail: { event_id: eventId, pad: 'x'.repeat(padding) },
  };
}

const publisher = () =>
  new EventBridgePublisher(new EventBridgeClient({}), { busName: 'payments-test', sleep: async () => {} });
const sentEntries = () =>
  eventBridge
    .commandCalls(PutEventsCommand)
    .map((c) => (c.args[0].input as PutEventsCommandInput).Entries ?? []);
const idsOf = (entries: { Detail?: string }[]) => entries.map((e) => JSON.parse(e.Detail ?? '{}').event_id);

/** Answers like EventBridge: accepts every entry except those whose event id is in `refuse`. */
function answer(refuse: Set<string>) {
  return (input: PutEventsCommandInput) => {
    const entries = (input.Entries ?? []).map((e) => {
      const id = JSON.parse(e.Detail ?? '{}').event_id;
      return refuse.has(id)
        ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }
        : { EventId: randomUUID() };
    });
    return { FailedEntryCount: entries.filter((e) => 'ErrorCode' in e).length, Entries: entries };
  };
}

describe('EventBridgePublisher', () => {
  beforeEach(() => eventBridge.reset());

  it('sends the entry on the configured bus with the event id inside the detail', async () => {
    eventBridge.on(PutEventsCommand).callsFake(answer(new Set()));
    const event = outgoing();
    const outcome = await publisher().publish([event]);
    expect(outcome).toEqual({ published: [event.eventId], failed: [] });
    const [entry] = sentEntries()[0] ?? [];
    expect(entry).toMatchObject({
      EventBusName: 'payments-test',
      Source: event.source,
      DetailType: event.detailType,
    });
    expect(JSON.parse(entry?.Detail ?? '{}').event_id).toBe(event.eventId);
  });

  it('re-sends only the entries PutEvents refused (FailedEntryCount > 0)', async () => {
    const events = [outgoing(), outgoing(), outgoing(), outgoing()];
    const refusedOnce = new Set([events[1]!.eventId, events[3]!.eventId]);
    eventBridge.on(PutEventsCommand).callsFakeOnce(answer(refusedOnce)).callsFake(answer(new Set()));
    const outcome = await publisher().publish(events);
    expect(sentEntries().map(idsOf)).toEqual([
      events.map((e) => e.eventId),
      [events[1]!.eventId, events[3]!.eventId],
    ]);
    expect(outcome.failed).toEqual([]);
    expect(outcome.published.sort()).toEqual(events.map((e) => e.eventId).sort());
  });

  it('gives up after a bounded number of attempts and reports the still-refused events', async () => {
    const events = [outgoing(), outgoing()];
    eventBridge.on(PutEventsCommand).callsFake(answer(new Set([events[0]!.eventId])));
    const outcome = await publisher().publish(events);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(3);
    expect(outcome.published).toEqual([events[1]!.eventId]);
    expect(outcome.failed).toEqual([{ eventId: events[0]!.eventId, error: 'InternalFailure: try again' }]);
  });

  it('splits more than 10 events into requests of at most 10', async () => {
    eventBridge.on(PutEventsCommand).callsFake(answer(new Set()));
    const events = Array.from({ length: 25 }, () => outgoing());
    const outcome = await publisher().publish(events);
    expect(sentEntries().map((e) => e.length)).toEqual([10, 10, 5]);
    expect(sentEntries().flatMap(idsOf)).toEqual(events.map((e) => e.eventId));
    expect(outcome.published).toHaveLength(25);
  });

  it('splits by bytes so no request reaches 256 KB', async () => {
    eventBridge.on(PutEventsCommand).callsFake(answer(new Set()));
    const events = Array.from({ length: 5 }, () => outgoing(100 * 1024));
    await publisher().publish(events);
    const requests = sentEntries();
    expect(requests.map((e) => e.length)).toEqual([2, 2, 1]);
    for (const entries of requests) {
      expect(entries.reduce((sum, e) => sum + entrySize(e), 0)).toBeLessThanOrEqual(MAX_REQUEST_BYTES);
    }
  });

  it('computes entry size as EventBridge does (UTF-8 bytes of Source, DetailType, Detail, Resources; Time 14)', () => {
    expect(entrySize({ Source: 'ab', DetailType: 'c', Detail: '{"é":1}' })).toBe(2 + 1 + 8); // é is 2 bytes
    expect(entrySize({ Source: 'a', Time: new Date(), Resources: ['arn:x'] })).toBe(1 + 14 + 5);
  });

  it('reports an event too large for any request without sending it', async () => {
    eventBridge.on(PutEventsCommand).callsFake(answer(new Set()));
    const huge = outgoing(MAX_REQUEST_BYTES);
    const small = outgoing();
    const outcome = await publisher().publish([huge, small]);
    expect(outcome.published).toEqual([small.eventId]);
    expect(outcome.failed).toEqual([{ eventId: huge.eventId, error: expect.stringMatching(/TooLarge/) }]);
    expect(sentEntries().flatMap(idsOf)).toEqual([small.eventId]);
  });

  it('reports every entry of a request that threw, instead of throwing', async () => {
    eventBridge.on(PutEventsCommand).rejects(new Error('socket hang up'));
    const events = [outgoing(), outgoing()];
    const outcome = await publisher().publish(events);
    expect(outcome.published).toEqual([]);
    expect(outcome.failed.map((f) => f.eventId)).toEqual(events.map((e) => e.eventId));
    expect(outcome.failed[0]?.error).toContain('socket hang up');
  });
});
