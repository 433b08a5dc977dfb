import type { OutgoingEvent } from '../events';

/** Result of one publish call: which events the bus accepted and which it refused. */
export interface PublishOutcome {
  published: string[];
  failed: { eventId: string; error: string }[];
}

/** Puts events on the bus (EventBridge in AWS and locally). */
export interface EventPublisher {
  publish(events: readonly OutgoingEvent[]): Promise<PublishOutcome>;
}

/** Publishes outbox rows that were just committed; whatever fails stays for the outbox relay. */
export interface OutboxDispatcher {
  dispatch(eventIds: readonly string[]): Promise<void>;
}

export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  uuid(): string;
}

export const systemClock: Clock = { now: () => new Date() };
