import type { Database } from '../lambdas/shared/adapters/postgres/database';
import { countPaymentsByStatus } from '../lambdas/shared/adapters/postgres/payments';
import { names } from '../lib/names';
import type { Topology } from '../lib/topology';
import type { Consumers } from './consumers';
import type { LocalFaults } from './faults';
import type { QueueStore } from './queue-store';
import type { RunningSchedules } from './scheduler';

/** `GET /local/status`: queue and DLQ depths, consumers, schedule runs, payments by status, faults. */
export async function runtimeStatus(parts: {
  topology: Topology;
  /** Where the functions' code comes from: the sources, or the bundles of a cloud assembly. */
  code: { from: 'sources' } | { from: 'bundles'; stack: string };
  store: QueueStore;
  consumers: Consumers | undefined;
  schedules: RunningSchedules | undefined;
  db: Database;
  faults?: LocalFaults;
}) {
  const depths = await parts.store.depths();
  const queues = Object.keys(parts.topology.queues);
  const empty = { visible: 0, inFlight: 0, delayed: 0 };
  return {
    code: parts.code,
    queues: Object.fromEntries(
      queues.map((q) => [
        q,
        {
          ...(depths[q] ?? empty),
          consumer: parts.consumers?.running ? 'on' : 'off',
          inFlightBatches: parts.consumers?.inFlightBatches(q) ?? 0,
          delivered: parts.consumers?.delivered(q) ?? 0,
        },
      ]),
    ),
    deadLetterQueues: Object.fromEntries(
      queues.map((q) => [names.deadLetterQueue(q), depths[names.deadLetterQueue(q)] ?? empty]),
    ),
    schedules: parts.schedules?.runs() ?? {},
    payments: await countPaymentsByStatus(parts.db),
    /** Transactions the local queue emulation committed (SQS's work in AWS): the bench subtracts them. */
    queueTransactions: parts.store.transactions,
    ...(parts.faults ? { faults: parts.faults.counts() } : {}),
  };
}
