import type { Database } from '../../lambdas/shared/adapters/postgres/database';
import { PostgresRetentionStore } from '../../lambdas/shared/adapters/postgres/retention-store';
import { systemClock } from '../../lambdas/shared/adapters/system';
import { loadConfig, retentionPolicyOf, retentionSettingsSchema } from '../../lambdas/shared/config';
import { PaymentCreated, RiskAssessed } from '../../lambdas/shared/events';
import { purgeExpiredData, type RetentionReport } from '../../lambdas/shared/use-cases/purge-expired-data';
import { type DeadLetterRef, deliveryOf, type OpsBackend } from './backend';
import { describeEvent } from './events';
import { findStuckPayments, type OutboxLag, outboxLag, type StuckPayments } from './queries';

// The SQL-backed commands (outbox lag, payments stuck, retention run), the same against a local or an RDS database.

export function outboxReport(db: Database): Promise<OutboxLag> {
  return outboxLag(db, { errors: 5 });
}

export interface StuckPaymentsReport extends StuckPayments {
  olderThanSeconds: number;
  /** Where the PaymentCreated events of the listed payments sit, when the DLQs could be read. */
  deadLetters?: {
    /** DLQ messages read, and how many the DLQs held in all. */
    scanned: number;
    depth: number;
    /** Listed payments whose PaymentCreated event is in a DLQ, with which one. */
    found: { paymentId: string; deadLetterQueue: string }[];
  };
}

export async function stuckPaymentsReport(
  db: Database,
  backend: OpsBackend | undefined,
  options: { olderThanSeconds: number; limit: number; scan: number },
): Promise<StuckPaymentsReport> {
  const stuck = await findStuckPayments(db, options);
  // A PENDING payment waits on its PaymentCreated (risk screening) or its RiskAssessed (the charge).
  const waitingOn: string[] = [PaymentCreated.detailType, RiskAssessed.detailType];
  const routes = waitingOn.flatMap((t) => deliveryOf(t) ?? []);
  if (!backend || routes.length === 0 || stuck.count === 0)
    return { ...stuck, olderThanSeconds: options.olderThanSeconds };
  // Such an event ends in its queue's DLQ (worker gave up) or its rule target's DLQ (EventBridge could not
  // deliver it to the queue).
  const refs: DeadLetterRef[] = routes.flatMap((route) => [
    { kind: 'queue' as const, name: route.queue },
    { kind: 'target' as const, name: route.rule },
  ]);
  const listed = new Set(stuck.oldest.map((p) => p.id));
  const found = new Map<string, string>();
  let scanned = 0;
  let depth = 0;
  for (const ref of refs) {
    const read = await backend.readDeadLetters(ref, options.scan).catch(() => undefined);
    if (!read) continue;
    scanned += read.messages.length;
    depth += read.depth;
    for (const message of read.messages) {
      const event = describeEvent(message.body);
      if (waitingOn.includes(event.detailType ?? '') && event.paymentId && listed.has(event.paymentId)) {
        found.set(event.paymentId, `${ref.name} (${ref.kind} DLQ)`);
      }
    }
  }
  return {
    ...stuck,
    olderThanSeconds: options.olderThanSeconds,
    deadLetters: {
      scanned,
      depth,
      found: [...found].map(([paymentId, deadLetterQueue]) => ({ paymentId, deadLetterQueue })),
    },
  };
}

/**
 * The retention function's run, from here (docs/architecture.md, "Retention"): the same use case, the
 * same settings (RETENTION_* from the environment, else the function's defaults), no deadline.
 */
export function retentionRun(
  db: Database,
  options: { dryRun: boolean; env: NodeJS.ProcessEnv },
): Promise<RetentionReport> {
  const { policy, batchSize } = retentionPolicyOf(loadConfig(retentionSettingsSchema, options.env));
  return purgeExpiredData({ store: new PostgresRetentionStore(db), clock: systemClock }, policy, {
    batchSize,
    dryRun: options.dryRun,
    pauseMs: 20,
  });
}
