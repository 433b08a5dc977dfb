import { canonicalHash } from '../domain/canonical-json';
import { AppError } from '../domain/errors';
import { type CreatePaymentBody, newPendingPayment, type Payment } from '../domain/payment';
import { PaymentCreated, paymentEvent } from '../events';
import type { Clock, IdGenerator, OutboxDispatcher, PaymentCreationStore } from './ports';

export interface CreatePaymentDeps {
  store: PaymentCreationStore;
  dispatcher: OutboxDispatcher;
  clock: Clock;
  ids: IdGenerator;
  /** The exact response body the client gets, stored for byte-for-byte replays. */
  render(payment: Payment): string;
}

export interface CreatePaymentInput {
  userId: string;
  idempotencyKey: string;
  body: CreatePaymentBody;
  correlationId: string;
}

export interface CreatePaymentResult {
  status: number;
  body: string;
  replayed: boolean;
  paymentId?: string;
}

/**
 * Accepts a payment exactly once per (user, idempotency key): the key's record, the PENDING payment
 * and its PaymentCreated outbox row commit together; the event is published right after commit.
 */
export async function createPayment(
  deps: CreatePaymentDeps,
  input: CreatePaymentInput,
): Promise<CreatePaymentResult> {
  if (input.body.user_id !== undefined && input.body.user_id !== input.userId) {
    throw new AppError('forbidden', 'user_id does not match the authenticated user');
  }
  const requestHash = canonicalHash(input.body);
  // Built before we know whether the key is new: a replay only wastes two UUIDs and a render.
  const payment = newPendingPayment({
    id: deps.ids.uuid(),
    userId: input.userId,
    body: input.body,
    now: deps.clock.now(),
  });
  const event = paymentEvent(PaymentCreated, {
    eventId: deps.ids.uuid(),
    occurredAt: deps.clock.now(),
    correlationId: input.correlationId,
    payment,
  });
  const body = deps.render(payment);
  const stored = await deps.store.createOnce({
    key: { userId: input.userId, key: input.idempotencyKey, requestHash },
    payment,
    event,
    response: { status: 201, body },
  });
  if (stored) {
    if (stored.requestHash !== requestHash) {
      throw new AppError(
        'idempotency_key_reused',
        'This Idempotency-Key was used with a different request body',
      );
    }
    return { status: stored.status, body: stored.body, replayed: true };
  }
  await deps.dispatcher.dispatch([event]);
  return { status: 201, body, replayed: false, paymentId: payment.id };
}
