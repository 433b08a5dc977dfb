import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { METRICS, type MetricName } from '../../../lib/names';
import { PowertoolsIdempotencyGuard } from '../adapters/postgres/worker-idempotency';
import { onColdStart } from '../cold-start';
import type { EventContract } from '../events';
import { logger, metrics, observed } from '../observability';
import { type SharedResources, sharedResources } from '../resources';
import type { SideEffectGuard } from '../use-cases/ports';
import { BatchedOutboxDispatcher } from '../use-cases/publish-outbox';
import { consumeEvents } from './consume';
import { type RetryScheduler, SqsVisibilityBackoff } from './visibility-backoff';

// The one mechanism for SQS consumers (docs/architecture.md, "Workers"). A worker declares the events
// it takes, the side effects its use case runs at most once, how its ports are built and what one event's
// work is; this module owns everything else: cold-start wiring, idempotency guards and their deadlines,
// partial batch failures, poison, retry backoff, publishing the batch's events, metrics and log context.

/**
 * What a worker's ports are built from: the shared resources, except that `dispatcher` holds the events a
 * batch committed and publishes them together after the batch.
 */
export interface WorkerResources<Effect extends string> extends SharedResources {
  /** An at-most-once guard per declared side effect, bounded by the invocation's deadline. */
  guards: Record<Effect, SideEffectGuard>;
}

/** What one event's work reports: a log line, and the business metrics it moved. */
export interface Handled {
  message: string;
  fields?: Record<string, unknown>;
  count?: Partial<Record<MetricName, number>>;
}

export interface WorkerDeclaration<Detail, Ports, Effect extends string> {
  /** The events the worker takes; anything else is poison and ends in the DLQ. */
  accepts: readonly EventContract<string, Detail>[];
  /** Each external side effect its use case runs at most once: port name -> idempotency scope. */
  sideEffects: Record<Effect, string>;
  /** The use case's ports, built once per cold start. */
  ports(resources: WorkerResources<Effect>): Ports;
  /** One event's work: run the use case; throw to have the message retried. */
  handle(detail: Detail, ports: Ports): Promise<Handled>;
}

/** The production wiring with parts replaced: tests, and the local runtime's fault injection. */
export interface WorkerOverrides<Ports> {
  /** Instead of the process's shared resources (a test's database and publisher). */
  resources?: () => Promise<SharedResources>;
  /** Instead of changing the message's visibility through SQS. */
  retries?: RetryScheduler;
  /** Wraps or replaces ports after the production wiring built them. */
  ports?: (ports: Ports) => Ports;
}

export type WorkerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export function defineWorker<Detail extends { correlation_id: string }, Ports, Effect extends string>(
  declaration: WorkerDeclaration<Detail, Ports, Effect>,
) {
  const create = (overrides: WorkerOverrides<Ports> = {}): WorkerHandler => {
    const wiring = onColdStart(async () => {
      const shared = await (overrides.resources ?? sharedResources)();
      const batch = new BatchedOutboxDispatcher(shared.dispatcher);
      const guards = Object.fromEntries(
        Object.entries<string>(declaration.sideEffects).map(([port, scope]) => [
          port,
          new PowertoolsIdempotencyGuard(shared.db, {
            scope,
            expiresAfterSeconds: shared.config.WORKER_IDEMPOTENCY_TTL_SECONDS,
          }),
        ]),
      ) as Record<Effect, PowertoolsIdempotencyGuard>;
      const built = declaration.ports({ ...shared, dispatcher: batch, guards });
      const retries =
        overrides.retries ??
        new SqsVisibilityBackoff(undefined, undefined, (error) =>
          logger.warn('Could not change message visibility', { error: error as Error }),
        );
      const guardList: PowertoolsIdempotencyGuard[] = Object.values(guards);
      return { ports: overrides.ports?.(built) ?? built, batch, guards: guardList, retries };
    });

    return observed(async (event: SQSEvent, context: Context) => {
      const w = await wiring();
      // An unfinished side effect blocks other attempts until this invocation's own deadline.
      for (const guard of w.guards) guard.registerLambdaContext(context);
      try {
        return await consumeEvents(event, context, {
          accepts: declaration.accepts,
          retries: w.retries,
          logger,
          onPoison: () => metrics.addMetric(METRICS.poisonMessages, 'Count', 1),
          handle: async (detail, log) => {
            const handled = await declaration.handle(detail, w.ports);
            log.info(handled.message, handled.fields ?? {});
            for (const [name, value] of Object.entries(handled.count ?? {})) {
              if (value) metrics.addMetric(name, 'Count', value);
            }
          },
        });
      } finally {
        await w.batch.flush();
      }
    });
  };
  return { handler: create(), create };
}
