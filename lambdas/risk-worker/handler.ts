import { METRICS, riskLevelMetric } from '../../lib/names';
import { PostgresRiskAssessmentStore } from '../shared/adapters/postgres/risk-assessment-store';
import { PaymentCreated } from '../shared/events';
import { defineWorker } from '../shared/sqs-worker/define-worker';
import { type AssessPaymentRiskDeps, assessPaymentRisk } from '../shared/use-cases/assess-risk';

/** SQS (PaymentCreated) -> score the payment -> its one assessment and RiskAssessed event in one transaction. */
export const riskWorker = defineWorker({
  accepts: [PaymentCreated],
  // No external side effect: the assessment is a database write, made once by its primary key.
  sideEffects: {},
  ports: ({ db, dispatcher, clock, ids }): AssessPaymentRiskDeps => ({
    store: new PostgresRiskAssessmentStore(db),
    dispatcher,
    clock,
    ids,
  }),
  handle: async (detail, ports) => {
    const result = await assessPaymentRisk(ports, {
      paymentId: detail.payment.id,
      correlationId: detail.correlation_id,
    });
    if (result.kind !== 'assessed') {
      return { message: 'Payment not assessed again', fields: { payment_id: detail.payment.id, ...result } };
    }
    const { score, level, outcome, rulesVersion } = result.assessment;
    return {
      message: 'Payment risk assessed',
      fields: { payment_id: detail.payment.id, score, level, outcome, rules_version: rulesVersion },
      count: {
        [METRICS.riskAssessed]: 1,
        [riskLevelMetric(level)]: 1,
        ...(outcome === 'block' ? { [METRICS.riskBlocked]: 1 } : {}),
      },
    };
  },
});

export const handler = riskWorker.handler;
