import { randomUUID } from 'node:crypto';
import type { PaymentStatus } from '../domain/payment';
import { type OutgoingEvent, PaymentFailed, PaymentSucceeded, paymentEvent } from '../events';
import { ChargeOutcomeUnknownError, GatewayTimeoutError } from './gateway-errors';
import {
  type ChargeResult,
  type Clock,
  type IdGenerator,
  type OutboxDispatcher,
  type PaymentGateway,
  type PaymentSettlementStore,
  type SideEffectGuard,
  systemClock,
} from './ports';

/** Fault-injection points for chaos tests; the shipped code never sets them. */
export interface PaymentProcessingHooks {
  beforeCharge?(): Promise<void>;
  afterCharge?(): Promise<void>;
  afterCommit?(): Promise<void>;
}

export interface ProcessPaymentDeps {
  store: PaymentSettlementStore;
  gateway: PaymentGateway;
  /** Guards the gateway charge (Powertools idempotency) so a redelivery reuses the first answer. */
  chargeGuard: SideEffectGuard;
  dispatcher: OutboxDispatcher;
  clock?: Clock;
  ids?: IdGenerator;
  hooks?: PaymentProcessingHooks;
}

export type ProcessPaymentResult =
  /** This call moved the payment out of PENDING (and wrote its outcome event). */
  | { kind: 'transitioned'; status: Exclude<PaymentStatus, 'PENDING'>; eventId: string }
  /** Nothing to do: a previous or concurrent delivery already settled the payment. */
  | { kind: 'already_terminal'; status: PaymentStatus };

/** A PaymentCreated for a payment we do not have: nothing sensible to do, so it ends in the DLQ. */
export class PaymentNotFoundError extends Error {
  override readonly name = 'PaymentNotFoundError';
}

const defaultIds: IdGenerator = { uuid: randomUUID };

/** Charges a PENDING payment once and records its terminal state, ledger posting and outcome event atomically. */
export async function processPayment(
  deps: ProcessPaymentDeps,
  input: { paymentId: string; correlationId: string },
): Promise<ProcessPaymentResult> {
  const { store, hooks = {}, clock = systemClock, ids = defaultIds } = deps;
  const payment = await store.findPayment(input.paymentId);
  if (!payment) throw new PaymentNotFoundError(`payment ${input.paymentId} does not exist`);
  if (payment.status !== 'PENDING') return { kind: 'already_terminal', status: payment.status };

  await hooks.beforeCharge?.();
  const charge = await deps.chargeGuard.once(payment.id, () =>
    chargeResolvingTimeouts(deps.gateway, {
      idempotencyKey: payment.id,
      amount: payment.amount,
      currency: payment.currency,
    }),
  );
  await hooks.afterCharge?.();

  const settlement = {
    status: charge.outcome === 'succeeded' ? 'SUCCEEDED' : 'FAILED',
    failureCode: charge.outcome === 'declined' ? charge.code : null,
    failureReason: charge.outcome === 'declined' ? charge.reason : null,
    at: clock.now(),
  } as const;
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
  await hooks.afterCommit?.();

  if (!written) {
    const now = await store.findPayment(payment.id);
    return { kind: 'already_terminal', status: now?.status ?? payment.status };
  }
  // The event the store wrote is the one `eventFor` built for the winning transaction.
  if (outcomeEvent?.eventId === written.eventId) await deps.dispatcher.dispatch([outcomeEvent]);
  return { kind: 'transitioned', status: settlement.status, eventId: written.eventId };
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
      {
        cause: error,
      },
    );
  }
}
