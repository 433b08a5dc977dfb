import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { SimulatedGateway } from '../shared/adapters/gateway/simulated-gateway';
import { PostgresPaymentSettlementStore } from '../shared/adapters/postgres/payment-settlement-store';
import { PowertoolsIdempotencyGuard } from '../shared/adapters/postgres/worker-idempotency';
import { consumeEvents } from '../shared/adapters/sqs/event-batch';
import { type RetryScheduler, SqsVisibilityBackoff } from '../shared/adapters/sqs/visibility-backoff';
import { onColdStart } from '../shared/cold-start';
import { PaymentCreated } from '../shared/events';
import { logger } from '../shared/logger';
import { metrics } from '../shared/metrics';
import { getPlatform } from '../shared/platform';
import {
  type PaymentProcessingHooks,
  type ProcessPaymentDeps,
  processPayment,
} from '../shared/use-cases/process-payment';

export interface PaymentWorkerDeps {
  processing: ProcessPaymentDeps;
  /** Guards that bound an unfinished attempt by the invocation's deadline. */
  guards: PowertoolsIdempotencyGuard[];
  retries: RetryScheduler;
  metrics?: Metrics;
}

/** SQS (PaymentCreated) -> charge once -> terminal state, ledger and outcome event in one transaction. */
export function createPaymentWorker(deps: () => Promise<PaymentWorkerDeps>) {
  return async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
    const d = await deps();
    for (const guard of d.guards) guard.registerLambdaContext(context);
    try {
      return await consumeEvents(event, context, {
        accepts: [PaymentCreated],
        retries: d.retries,
        logger,
        outbox: d.processing.dispatcher,
        handle: async ({ detail }, log, outbox) => {
          const result = await processPayment(
            { ...d.processing, dispatcher: outbox },
            {
              paymentId: detail.payment.id,
              correlationId: detail.correlation_id,
            },
          );
          log.info('Payment processed', { payment_id: detail.payment.id, ...result });
          if (result.kind === 'transitioned') {
            d.metrics?.addMetric(
              result.status === 'SUCCEEDED' ? 'PaymentsSucceeded' : 'PaymentsFailed',
              MetricUnit.Count,
              1,
            );
          }
        },
      });
    } finally {
      if (d.metrics?.hasStoredMetrics()) d.metrics.publishStoredMetrics();
    }
  };
}

/** The production dependencies; `hooks` is for the local runtime's fault injection only. */
export async function buildPaymentWorkerDeps(
  options: { hooks?: PaymentProcessingHooks } = {},
): Promise<PaymentWorkerDeps> {
  // Shared with every other function in the process (one pool, one publisher; matters locally).
  const { config, db, dispatcher } = await getPlatform();
  const chargeGuard = new PowertoolsIdempotencyGuard(db, {
    scope: 'gateway-charge',
    expiresAfterSeconds: config.WORKER_IDEMPOTENCY_TTL_SECONDS,
  });
  return {
    processing: {
      store: new PostgresPaymentSettlementStore(db),
      gateway: new SimulatedGateway(db, {
        transientFailureRate: config.GATEWAY_TRANSIENT_FAILURE_RATE,
        timeoutRate: config.GATEWAY_TIMEOUT_RATE,
      }),
      chargeGuard,
      dispatcher,
      hooks: options.hooks,
    },
    guards: [chargeGuard],
    retries: new SqsVisibilityBackoff(undefined, undefined, (error) =>
      logger.warn('Could not change message visibility', { error: error as Error }),
    ),
    metrics,
  };
}

export const handler = createPaymentWorker(onColdStart(() => buildPaymentWorkerDeps()));
