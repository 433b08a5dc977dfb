import { dailyStats } from '../../lambdas/shared/adapters/postgres/analytics-store';
import type { Database } from '../../lambdas/shared/adapters/postgres/database';
import { names } from '../../lib/names';
import { type DayTotals, totalsPerDay } from '../../scripts/ops/analytics-chart';
import { describeEvent } from '../../scripts/ops/events';
import type { LocalOpsBackend } from '../../scripts/ops/local-backend';
import { type OutboxLag, outboxLag } from '../../scripts/ops/queries';
import type { QueueStore } from '../queue-store';
import type { runtimeStatus } from '../status';
import {
  type RecentEvent,
  type RecentNotification,
  type RecentPayment,
  recentEvents,
  recentNotifications,
  recentPayments,
} from './queries';

// What the console shows, read in one go (`GET /local/console/state`). Queues, DLQs and outbox lag come
// from the runtime's status and the ops CLI's backend and queries: one way to read each of them.

export type RuntimeStatus = Awaited<ReturnType<typeof runtimeStatus>>;

export interface QueueView {
  name: string;
  visible: number;
  inFlight: number;
  delayed: number;
  /** Age of the oldest message still in the queue (any state), by this machine's clock. */
  oldestAgeSeconds: number | null;
  consumer: string;
}

export interface DeadLetterView {
  /** The source queue (topology key); the DLQ is `names.deadLetterQueue(queue)`. */
  queue: string;
  deadLetterQueue: string;
  depth: number;
  inFlight: number;
  oldestAgeSeconds: number | null;
  samples: { messageId: string; receiveCount?: number; detailType?: string; paymentId?: string }[];
}

export interface ConsoleState {
  at: Date;
  payments: RecentPayment[];
  paymentsByStatus: RuntimeStatus['payments'];
  queues: QueueView[];
  deadLetterQueues: DeadLetterView[];
  outbox: OutboxLag;
  notifications: RecentNotification[];
  events: RecentEvent[];
  /** Payments per day and success rate, the last `ANALYTICS_DAYS` days (the analytics run's stats). */
  analytics: DayTotals[];
}

export interface StateSources {
  /** The platform's tables, read as the ops CLI's read-only role. */
  reads: Database;
  status(): Promise<RuntimeStatus>;
  /** The ops CLI's backend on the runtime's own database. */
  ops: LocalOpsBackend;
  /** A queue store of the console's own (its reads are not the platform's work). */
  store: QueueStore;
}

const LIST = 15;
export const ANALYTICS_DAYS = 14;

const ageSeconds = (sentAt: Date | undefined, now: Date) =>
  sentAt ? Math.max(0, Math.floor((now.getTime() - sentAt.getTime()) / 1000)) : null;

export async function readConsoleState(sources: StateSources, now = new Date()): Promise<ConsoleState> {
  const db = sources.reads;
  const [status, dlqs, outbox, payments, notifications, events, stats] = await Promise.all([
    sources.status(),
    sources.ops.listDeadLetterQueues({ sample: 5 }),
    outboxLag(db, { errors: 5 }),
    recentPayments(db, LIST),
    recentNotifications(db, LIST),
    recentEvents(db, LIST),
    dailyStats(db, ANALYTICS_DAYS, now),
  ]);
  const queues = await Promise.all(
    Object.entries(status.queues).map(async ([name, q]) => {
      const [oldest] = await sources.store.peek(name, 1);
      return {
        name,
        visible: q.visible,
        inFlight: q.inFlight,
        delayed: q.delayed,
        oldestAgeSeconds: ageSeconds(oldest?.sentAt, now),
        consumer: q.consumer,
      };
    }),
  );
  return {
    at: now,
    payments,
    paymentsByStatus: status.payments,
    queues,
    deadLetterQueues: dlqs.map((d) => ({
      queue: d.name,
      deadLetterQueue: names.deadLetterQueue(d.name),
      depth: d.depth,
      inFlight: d.inFlight,
      // Samples are the oldest first; a dead-lettered message keeps its original send time, as in SQS.
      oldestAgeSeconds: ageSeconds(d.samples[0]?.sentAt, now),
      samples: d.samples.map((m) => ({
        messageId: m.messageId,
        receiveCount: m.receiveCount,
        ...describeEvent(m.body),
      })),
    })),
    outbox,
    notifications,
    events,
    analytics: totalsPerDay(stats),
  };
}
