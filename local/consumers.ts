import { names } from '../lib/names';
import type { Topology } from '../lib/topology';
import type { LocalFunction } from './lambda-context';
import { Poller, type PollerHooks } from './poller';
import type { QueueStore } from './queue-store';

// Lambda's SQS event source mappings: one poller per topology queue, calling the queue's consumer.

export interface Consumers {
  /** Whether the pollers run (LOCAL_CONSUMERS=off leaves the events in the queues). */
  readonly running: boolean;
  /** New messages on `queue`: its poller looks now instead of at its next idle poll. */
  wake(queue: string): void;
  inFlightBatches(queue: string): number;
  /** Messages handed to the queue's consumer since start. */
  delivered(queue: string): number;
  /** Stops receiving and waits for the batches already handed to a handler. */
  stop(): Promise<void>;
}

export function startConsumers(options: {
  topology: Topology;
  functionFor: (name: string) => LocalFunction;
  store: QueueStore;
  leaseholder: string;
  running: boolean;
  hooks?: PollerHooks;
  log: (message: string, fields?: Record<string, unknown>) => void;
}): Consumers {
  const pollers = new Map(
    Object.entries(options.topology.queues).map(([queue, spec]) => [
      queue,
      new Poller({
        queue,
        spec,
        deadLetterQueue: names.deadLetterQueue(queue),
        consumer: options.functionFor(spec.consumer),
        store: options.store,
        leaseholder: options.leaseholder,
        hooks: options.hooks,
        log: options.log,
      }),
    ]),
  );
  if (options.running) for (const poller of pollers.values()) poller.start();
  return {
    running: options.running,
    wake: (queue) => pollers.get(queue)?.wake(),
    inFlightBatches: (queue) => pollers.get(queue)?.inFlightBatches ?? 0,
    delivered: (queue) => pollers.get(queue)?.delivered ?? 0,
    stop: async () => {
      await Promise.allSettled([...pollers.values()].map((p) => p.stop()));
    },
  };
}
