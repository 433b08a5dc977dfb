import { names } from '../lib/names';
import { DEAD_LETTER_RETENTION_DAYS, type Topology } from '../lib/topology';
import type { LocalFunction } from './lambda-context';
import { Poller, type PollerHooks } from './poller';
import type { QueueStore } from './queue-store';

// Lambda's SQS event source mappings: one poller per topology queue, calling the queue's consumer. And
// SQS's own retention: messages older than their queue's retention period are dropped every 5 minutes.

const RETENTION_SWEEP_MS = 5 * 60_000;

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
  const retention = Object.entries(options.topology.queues).flatMap(([queue, spec]) => [
    [queue, spec.retentionDays] as const,
    [names.deadLetterQueue(queue), DEAD_LETTER_RETENTION_DAYS] as const,
  ]);
  let sweeping: Promise<void> | undefined;
  const sweep = async () => {
    for (const [queue, days] of retention) {
      let dropped = 1;
      while (dropped > 0) dropped = await options.store.dropExpired(queue, days);
    }
  };
  const sweepSafely = () => {
    sweeping ??= sweep()
      .catch((error: unknown) => options.log('Queue retention sweep failed', { error: String(error) }))
      .finally(() => {
        sweeping = undefined;
      });
  };
  sweepSafely();
  const sweeper = setInterval(sweepSafely, RETENTION_SWEEP_MS);
  sweeper.unref();
  return {
    running: options.running,
    wake: (queue) => pollers.get(queue)?.wake(),
    inFlightBatches: (queue) => pollers.get(queue)?.inFlightBatches ?? 0,
    delivered: (queue) => pollers.get(queue)?.delivered ?? 0,
    stop: async () => {
      clearInterval(sweeper);
      await sweeping;
      await Promise.allSettled([...pollers.values()].map((p) => p.stop()));
    },
  };
}
