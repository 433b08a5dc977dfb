import { randomUUID } from 'node:crypto';
import type { Database } from '../adapters/postgres/database';
import { postPayment } from '../adapters/postgres/ledger';
import { enqueueEvent } from '../adapters/postgres/outbox';
import { findPayment, transitionFromPending } from '../adapters/postgres/payments';
import type { PaymentStatus } from '../domain/payment';
import { PaymentFailed, PaymentSucceeded, paymentEvent } from '../events';
import { ChargeOutcomeUnknownError, GatewayTimeoutError } from './gateway-errors';
import {
  type ChargeResult,
  type Clock,
  type IdGenerator,
  type OutboxDispatcher,
  type PaymentGateway,
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
  db: Database;
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
  const { db, hooks = {}, clock = systemClock, ids = defaultIds } = deps;
  const payment = await findPayment(db, input.paymentId);
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

  const at = clock.now();
  const written = await db.begin(async (sql) => {
    const tx = sql as unknown as Database;
    const settled = await transitionFromPending(tx, payment.id, {
      status: charge.outcome === 'succeeded' ? 'SUCCEEDED' : 'FAILED',
      failureCode: charge.outcome === 'declined' ? charge.code : null,
      failureReason: charge.outcome === 'declined' ? charge.reason : null,
      at,
    });
    if (!settled) return undefined; // another delivery won the transition and wrote the event
    if (settled.status === 'SUCCEEDED') await postPayment(tx, settled);
    const contract = settled.status === 'SUCCEEDED' ? PaymentSucceeded : PaymentFailed;
    const event = paymentEvent(contract, {
      eventId: ids.uuid(),
      occurredAt: at,
      correlationId: input.correlationId,
      payment: settled,
    });
    await enqueueEvent(tx, event);
    return { status: settled.status as 'SUCCEEDED' | 'FAILED', eventId: event.eventId };
  });
  await hooks.afterCommit?.();

  if (!written) {
    const now = await findPayment(db, payment.id);
    return { kind: 'already_terminal', status: now?.status ?? payment.status };
  }
  await deps.dispatcher.dispatch([written.eventId]);
  return { kind: 'transitioned', ...written };
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
