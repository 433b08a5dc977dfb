import type { PaymentStatus, Settlement } from '../domain/payment';
import { blockedReason } from '../domain/risk';
import { type OutgoingEvent, PaymentFailed, PaymentSucceeded, paymentEvent } from '../events';
import {
  ChargeOutcomeUnknownError,
  GatewayTimeoutError,
  NotFoundError,
  RiskAssessmentMissingError,
} from './errors';
import type {
  ChargeResult,
  Clock,
  IdGenerator,
  OutboxDispatcher,
  PaymentGateway,
  PaymentSettlementStore,
  SideEffectGuard,
} from './ports';

export interface ProcessPaymentDeps {
  store: PaymentSettlementStore;
  gateway: PaymentGateway;
  /** Guards the gateway charge (Powertools idempotency) so a redelivery reuses the first answer. */
  chargeGuard: SideEffectGuard;
  dispatcher: OutboxDispatcher;
  clock: Clock;
  ids: IdGenerator;
}

export type ProcessPaymentResult =
  /** This call moved the payment out of PENDING (and wrote its outcome event). */
  | { kind: 'transitioned'; status: Exclude<PaymentStatus, 'PENDING'>; eventId: string }
  /** Nothing to do: a previous or concurrent delivery already settled the payment. */
  | { kind: 'already_terminal'; status: PaymentStatus };

/** The failure code of a payment the risk screening blocked (docs/architecture.md, "Risk screening"). */
export const RISK_BLOCKED = 'risk_blocked';

/**
 * Charges a screened PENDING payment once, if its stored assessment allows it, and records its terminal
 * state, ledger posting and outcome event atomically. A blocked payment ends FAILED without a charge.
 */
export async function processPayment(
  deps: ProcessPaymentDeps,
  input: { paymentId: string; correlationId: string },
): Promise<ProcessPaymentResult> {
  const { store, clock, ids } = deps;
  const payment = await store.findPayment(input.paymentId);
  // A RiskAssessed for a payment we do not have: nothing sensible to do, so it ends in the DLQ.
  if (!payment) throw new NotFoundError(`payment ${input.paymentId} does not exist`);
  if (payment.status !== 'PENDING') return { kind: 'already_terminal', status: payment.status };
  // The stored assessment decides, not the event's copy of it: nothing is charged unscreened.
  const assessment = await store.findAssessment(payment.id);
  if (!assessment) throw new RiskAssessmentMissingError(`payment ${payment.id} has no risk assessment`);

  const settlement: Settlement =
    assessment.outcome === 'block'
      ? {
          status: 'FAILED',
          failureCode: RISK_BLOCKED,
          failureReason: blockedReason(assessment),
          at: clock.now(),
        }
      : settlementOf(await chargeOnce(deps, payment), clock.now());
  let outcomeEvent: OutgoingEvent | undefined;
  const written = await store.settle(payment.id, settlement, (settled) => {
    outcomeEvent = paymentEvent(settled.status === 'SUCCEEDED' ? PaymentSucceeded : PaymentFailed, {
      eventId: ids.uuid(),
      occurredAt: settlement.at,
      correlationId: input.correlationId,
      payment: settled,
    });
    return outcomeEvent;
  });

  if (!written) {
    const now = await store.findPayment(payment.id);
    return { kind: 'already_terminal', status: now?.status ?? payment.status };
  }
  // The event the store wrote is the one `eventFor` built for the winning transaction.
  if (outcomeEvent?.eventId === written.eventId) await deps.dispatcher.dispatch([outcomeEvent]);
  return { kind: 'transitioned', status: settlement.status, eventId: written.eventId };
}

function chargeOnce(deps: ProcessPaymentDeps, payment: { id: string; amount: number; currency: string }) {
  return deps.chargeGuard.once(payment.id, () =>
    chargeResolvingTimeouts(deps.gateway, {
      idempotencyKey: payment.id,
      amount: payment.amount,
      currency: payment.currency,
    }),
  );
}

function settlementOf(charge: ChargeResult, at: Date): Settlement {
  return {
    status: charge.outcome === 'succeeded' ? 'SUCCEEDED' : 'FAILED',
    failureCode: charge.outcome === 'declined' ? charge.code : null,
    failureReason: charge.outcome === 'declined' ? charge.reason : null,
    at,
  };
}

/** A timeout is an unknown outcome: ask the gateway what happened, and retry later if it knows nothing. */
async function chargeResolvingTimeouts(
  gateway: PaymentGateway,
  request: { idempotencyKey: string; amount: number; currency: string },
): Promise<ChargeResult> {
  try {
    return await gateway.charge(request);
  } catch (error) {
    if (!(error instanceof GatewayTimeoutError)) throw error;
    const known = await gateway.getCharge(request.idempotencyKey);
    if (known) return known;
    throw new ChargeOutcomeUnknownError(
      `charge ${request.idempotencyKey} timed out and the gateway has no record of it`,
      { cause: error },
    );
  }
}
