import { METRICS } from '../../lib/names';
import { SimulatedGateway } from '../shared/adapters/gateway/simulated-gateway';
import { PostgresPaymentSettlementStore } from '../shared/adapters/postgres/payment-settlement-store';
import { RiskAssessed } from '../shared/events';
import { defineWorker } from '../shared/sqs-worker/define-worker';
import { type ProcessPaymentDeps, processPayment } from '../shared/use-cases/process-payment';

/**
 * SQS (RiskAssessed) -> charge once if the assessment allows it -> terminal state, ledger and outcome event in
 * one transaction (a blocked payment: FAILED `risk_blocked`, no charge).
 */
export const paymentWorker = defineWorker({
  accepts: [RiskAssessed],
  sideEffects: { chargeGuard: 'gateway-charge' },
  ports: ({ config, db, dispatcher, guards, clock, ids }): ProcessPaymentDeps => ({
    store: new PostgresPaymentSettlementStore(db),
    gateway: new SimulatedGateway(db, {
      transientFailureRate: config.GATEWAY_TRANSIENT_FAILURE_RATE,
      timeoutRate: config.GATEWAY_TIMEOUT_RATE,
    }),
    chargeGuard: guards.chargeGuard,
    dispatcher,
    clock,
    ids,
  }),
  handle: async (detail, ports) => {
    const result = await processPayment(ports, {
      paymentId: detail.payment.id,
      correlationId: detail.correlation_id,
    });
    const settled = result.kind === 'transitioned';
    return {
      message: 'Payment processed',
      fields: { payment_id: detail.payment.id, ...result },
      count: settled
        ? { [result.status === 'SUCCEEDED' ? METRICS.paymentsSucceeded : METRICS.paymentsFailed]: 1 }
        : {},
    };
  },
});

export const handler = paymentWorker.handler;
