import type { AssessPaymentRiskDeps } from '../../lambdas/shared/use-cases/assess-risk';
import type { FaultDice, FaultRates } from './config';

// The risk worker's crash points, injected by wrapping its store from outside (the use case has no hooks):
// mid-assessment (history read and scored, nothing written) and after the commit, before the publish.

export function riskPortsWithFaults(
  ports: AssessPaymentRiskDeps,
  rates: FaultRates,
  dice: FaultDice,
): AssessPaymentRiskDeps {
  const { store } = ports;
  return {
    ...ports,
    store: {
      findPayment: (id) => store.findPayment(id),
      findAssessment: (id) => store.findAssessment(id),
      signals: (payment) => store.signals(payment),
      record: async (assessment, userId, event) => {
        dice.crash(rates.crashMidAssessment, 'crashesMidAssessment', 'mid-assessment, before its commit');
        const written = await store.record(assessment, userId, event);
        dice.crash(rates.crashAfterAssessment, 'crashesAfterAssessment', 'after the assessment commit');
        return written;
      },
    },
  };
}
