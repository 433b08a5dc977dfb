import { assessRisk, RISK_RULES, type RiskAssessment, type RiskRules, riskSummary } from '../domain/risk';
import { type OutgoingEvent, paymentEvent, RiskAssessed } from '../events';
import { NotFoundError } from './errors';
import type { Clock, IdGenerator, OutboxDispatcher, RiskAssessmentStore } from './ports';

export interface AssessPaymentRiskDeps {
  store: RiskAssessmentStore;
  dispatcher: OutboxDispatcher;
  clock: Clock;
  ids: IdGenerator;
  /** The rule set in force (tests pass their own). */
  rules?: RiskRules;
}

export type AssessPaymentRiskResult =
  /** This call wrote the payment's assessment and its RiskAssessed event. */
  | { kind: 'assessed'; assessment: RiskAssessment; eventId: string }
  /** A previous or concurrent delivery assessed it first; nothing was written. */
  | { kind: 'already_assessed' }
  /** The payment left PENDING without us (it was settled before screening existed): nothing to screen. */
  | { kind: 'not_pending' };

/**
 * Screens a PENDING payment before its charge (docs/architecture.md, "Risk screening"): scores it, then
 * writes the assessment and its RiskAssessed event together, once per payment, and publishes the event.
 */
export async function assessPaymentRisk(
  deps: AssessPaymentRiskDeps,
  input: { paymentId: string; correlationId: string },
): Promise<AssessPaymentRiskResult> {
  const { store } = deps;
  const payment = await store.findPayment(input.paymentId);
  // A PaymentCreated for a payment we do not have: nothing sensible to do, so it ends in the DLQ.
  if (!payment) throw new NotFoundError(`payment ${input.paymentId} does not exist`);
  if (await store.findAssessment(payment.id)) return { kind: 'already_assessed' };
  if (payment.status !== 'PENDING') return { kind: 'not_pending' };

  const decision = assessRisk(payment, await store.signals(payment), deps.rules ?? RISK_RULES);
  const assessment: RiskAssessment = { ...decision, paymentId: payment.id, assessedAt: deps.clock.now() };
  const event: OutgoingEvent = paymentEvent(RiskAssessed, {
    eventId: deps.ids.uuid(),
    occurredAt: assessment.assessedAt,
    correlationId: input.correlationId,
    payment,
    extra: { risk: riskSummary(assessment) },
  });
  if (!(await store.record(assessment, payment.user_id, event))) return { kind: 'already_assessed' };
  await deps.dispatcher.dispatch([event]);
  return { kind: 'assessed', assessment, eventId: event.eventId };
}
